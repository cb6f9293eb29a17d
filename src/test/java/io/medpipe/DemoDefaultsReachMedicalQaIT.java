package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.pipeline.ProcessConstants;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What a new user sees first: with every default (the 20,000-patient demo cohort, 1% Fabry, the default candidate
 * search, calibration and miss cost), a run started by hand passes the clinical validation and reaches the Medical QA
 * task. The other end-to-end tests use their own cohort sizes, so a change of a training default that left the demo
 * rejected at validation would pass them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class DemoDefaultsReachMedicalQaIT {

  static final int PORT = TestPorts.free();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    String dir = Files.createTempDirectory("medpipe-demo").toString();
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", () -> dir);
    // nothing else: the cohort, training and validation settings are the shipped defaults
  }

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;

  @Test
  void theDefaultDemoPassesValidationAndWaitsForTheMedicalReviewers() throws Exception {
    String pipeline = runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_PIPELINE, "demo-defaults").getId();
    long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
    Task qa = null;
    while (qa == null && System.nanoTime() < deadline) {
      qa = tasks.createTaskQuery().taskDefinitionKey(ProcessConstants.TASK_MEDICAL_QA).singleResult();
      if (qa == null
          && history.createHistoricProcessInstanceQuery().processInstanceId(pipeline).finished().count() > 0) {
        break; // the run ended without reaching QA: the assertions below say why
      }
      Thread.sleep(500);
    }
    List<HistoricVariableInstance> failures = history.createHistoricVariableInstanceQuery()
        .variableName(ProcessConstants.VAR_VALIDATION_FAILURES).list();
    assertThat(failures).as("validation failures of the demo run")
        .allSatisfy(v -> assertThat((List<?>) v.getValue()).isEmpty());
    assertThat(qa).as("the Medical QA task within 15 minutes").isNotNull();
    assertThat(runtime.createIncidentQuery().count()).isZero();
    runtime.deleteProcessInstanceIfExists(pipeline, "test over", true, true, true, false);
  }
}
