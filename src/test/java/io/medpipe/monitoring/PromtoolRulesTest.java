package io.medpipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alert rules checked and unit-tested by the real Prometheus tool: {@code promtool check rules} on
 * ops/prometheus/alerts.yml and {@code promtool test rules} on every file in ops/prometheus/tests/ (when each rule
 * fires, with which labels: action="retrain" only where retraining is wanted). promtool comes with Debian's
 * {@code prometheus} package, which .ci/run installs; on a machine without it the test is skipped with a message,
 * except under CI=true, where it fails.
 */
class PromtoolRulesTest {

  @BeforeAll
  static void promtoolIsInstalled() {
    boolean found;
    try {
      found = new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      found = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      found = false;
    }
    if (!found && System.getenv("CI") == null) {
      Assumptions.abort("promtool is not installed (Debian package prometheus): alert rules not unit-tested (CI "
          + "requires it)");
    }
    assertThat(found).as("promtool on CI's PATH (.ci/run installs Debian's prometheus package)").isTrue();
  }

  @Test
  void theAlertRulesAreValid() throws Exception {
    Result r = promtool("check", "rules", "ops/prometheus/alerts.yml");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void theAlertRuleUnitTestsPass() throws Exception {
    List<String> command = new ArrayList<>(List.of("test", "rules"));
    try (Stream<Path> files = Files.list(Path.of("ops/prometheus/tests"))) {
      files.filter(f -> f.toString().endsWith(".yml")).sorted().forEach(f -> command.add(f.toString()));
    }
    assertThat(command).hasSizeGreaterThan(2);
    Result r = promtool(command.toArray(String[]::new));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS").doesNotContain("FAILED");
  }

  private record Result(int exit, String output) {}

  private static Result promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("promtool");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), output);
  }
}
