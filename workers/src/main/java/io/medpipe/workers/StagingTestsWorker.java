package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.serving.ServingProbe;
import io.medpipe.signoff.Evidence;
import io.medpipe.signoff.StagingEvidence;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "staging-tests": known cases and a latency burst through the staging API; failing them is a BPMN error.
 * Passing them completes the evidence of Medical QA, which is written here, once (the form reads it by evidenceId).
 */
@Component
@ExternalTaskSubscription(TOPIC_STAGING_TESTS)
class StagingTestsWorker extends Worker {

  private final ServingProbe probe;
  private final StagingEvidence evidence;
  private final ObjectMapper json;

  StagingTestsWorker(ServingProbe probe, StagingEvidence evidence, ObjectMapper json) {
    this.probe = probe;
    this.evidence = evidence;
    this.json = json;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception {
    UUID version = UUID.fromString(task.getVariable(VAR_MODEL_VERSION_ID));
    ServingProbe.Report report = probe.staging(version);
    Map<String, Object> variables = Map.of(VAR_STAGING_TESTS_REPORT, json.writeValueAsString(report),
        VAR_STAGING_P99_MS, report.p99Ms());
    if (!report.passed()) {
      throw new BpmnFailure(ERROR_STAGING_TESTS_FAILED, String.join("; ", report.failures()), variables);
    }
    Evidence written = evidence.record(task.getProcessInstanceId(), version, report);
    return Map.of(VAR_STAGING_TESTS_REPORT, variables.get(VAR_STAGING_TESTS_REPORT),
        VAR_STAGING_P99_MS, report.p99Ms(), VAR_EVIDENCE_ID, written.id().toString());
  }
}
