package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.pipeline.RunContext;
import io.medpipe.serving.DeploymentService;
import io.medpipe.serving.Slot;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "rollback-production": production goes back to the version it served before this run (or to none). */
@Component
@ExternalTaskSubscription(TOPIC_ROLLBACK_PRODUCTION)
class RollbackProductionWorker extends Worker {

  private final DeploymentService deployments;

  RollbackProductionWorker(DeploymentService deployments) {
    this.deployments = deployments;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    UUID previous = RunContext.from(task).previousProductionVersionId();
    deployments.restore(Slot.PRODUCTION, previous, task.getProcessInstanceId());
    return Map.of();
  }
}
