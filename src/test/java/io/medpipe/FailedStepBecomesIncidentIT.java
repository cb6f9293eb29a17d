package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.pipeline.ProcessConstants;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.Incident;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A step that cannot succeed is retried, then stops as an incident an operator can read in Cockpit. Here the
 * cohort has no patient with the target disease, so training has nothing to learn from.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
// Camunda keeps engines in a JVM-wide registry by name: a cached context would keep answering for "default"
@DirtiesContext
class FailedStepBecomesIncidentIT {

  static final int PORT = TestPorts.free();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    String dir = Files.createTempDirectory("medpipe-incident").toString();
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", () -> dir);
    registry.add("medpipe.cohort.patients", () -> 1000);
    registry.add("medpipe.cohort.fabry-prevalence", () -> 0.0);
    registry.add("medpipe.worker.retries", () -> 1);
    registry.add("medpipe.worker.retry-delay", () -> "PT1S");
  }

  @Autowired RuntimeService runtime;

  @Test
  void trainingWithoutTheRareDiseaseEndsAsAReadableIncident() throws Exception {
    runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_PIPELINE, "incident-test");
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    Incident incident = null;
    while (incident == null && System.nanoTime() < deadline) {
      // the call activity in the parent carries a second incident pointing at this root cause
      incident = runtime.createIncidentQuery().activityId(ProcessConstants.TOPIC_TRAIN_MODEL).singleResult();
      Thread.sleep(250);
    }
    assertThat(incident).as("an incident within 3 minutes").isNotNull();
    assertThat(incident.getActivityId()).isEqualTo(ProcessConstants.TOPIC_TRAIN_MODEL);
    assertThat(incident.getIncidentType()).isEqualTo(Incident.EXTERNAL_TASK_HANDLER_TYPE);
    assertThat(incident.getIncidentMessage())
        .contains("no rows of the target class 'fabry'")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  /**
   * A stage started with a malformed id, or without the id its contract names, stops at its first step with an
   * incident that names the variable (and never quotes the value, which could be anything an editor typed).
   */
  @Test
  void aMalformedOrMissingIdEndsAsAnIncidentNamingTheVariable() throws Exception {
    String malformed = runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_STAGING, "incident-malformed",
        Map.of(ProcessConstants.VAR_TRAINING_RUN_ID, "Jane Doe 1970-01-01")).getId();
    String missing = runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_STAGING, "incident-missing").getId();

    assertThat(awaitIncident(malformed).getIncidentMessage())
        .startsWith("process variable trainingRunId is not an id (UUID) but text of 19 characters")
        .doesNotContain("Jane").doesNotContain("Exception");
    assertThat(awaitIncident(missing).getIncidentMessage())
        .startsWith("process variable trainingRunId is missing").doesNotContain("Exception");
    runtime.deleteProcessInstance(malformed, "test over");
    runtime.deleteProcessInstance(missing, "test over");
  }

  private Incident awaitIncident(String processInstanceId) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    Incident incident = null;
    while (incident == null && System.nanoTime() < deadline) {
      incident = runtime.createIncidentQuery().processInstanceId(processInstanceId).singleResult();
      Thread.sleep(250);
    }
    assertThat(incident).as("an incident within a minute").isNotNull();
    assertThat(incident.getActivityId()).isEqualTo(ProcessConstants.TOPIC_REGISTER_MODEL);
    return incident;
  }
}
