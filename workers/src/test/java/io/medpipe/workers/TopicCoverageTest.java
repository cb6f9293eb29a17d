package io.medpipe.workers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/** Every external-task topic in processes/ has exactly one handler in workers/, and no handler is orphaned. */
class TopicCoverageTest {

  @Test
  void everyBpmnTopicHasOneHandlerAndEveryHandlerATopic() throws Exception {
    Set<String> bpmnTopics = new TreeSet<>();
    Pattern topic = Pattern.compile("camunda:topic=\"([^\"]+)\"");
    try (Stream<Path> files = Files.list(Path.of("processes"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".bpmn")).toList()) {
        Matcher m = topic.matcher(Files.readString(f));
        while (m.find()) {
          bpmnTopics.add(m.group(1));
        }
      }
    }
    ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(ExternalTaskSubscription.class));
    Set<String> handled = new TreeSet<>();
    for (var candidate : scanner.findCandidateComponents("io.medpipe.workers")) {
      String name = Class.forName(candidate.getBeanClassName()).getAnnotation(ExternalTaskSubscription.class).value();
      assertThat(handled.add(name)).as("two handlers for topic " + name).isTrue();
    }
    assertThat(bpmnTopics).isNotEmpty();
    assertThat(handled).isEqualTo(bpmnTopics);
  }
}
