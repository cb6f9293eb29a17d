package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.pipeline.RunContext;
import io.medpipe.serving.ServingProbe;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "smoke-test": known cases through the production API; a failure rolls production back. */
@Component
@ExternalTaskSubscription(TOPIC_SMOKE_TEST)
class SmokeTestWorker extends Worker {

  private final ServingProbe probe;

  SmokeTestWorker(ServingProbe probe) {
    this.probe = probe;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception {
    ServingProbe.Report report = probe.smoke(RunContext.from(task).modelVersionId());
    if (!report.passed()) {
      String reason = "smoke test failed: " + String.join("; ", report.failures());
      throw new BpmnFailure(ERROR_DEPLOYMENT_FAILED, reason, Map.of(VAR_FAILURE_REASON, reason));
    }
    return Map.of();
  }
}
