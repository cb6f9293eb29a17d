package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.pipeline.RunContext;
import io.medpipe.serving.DeploymentService;
import io.medpipe.serving.Slot;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "deploy-staging": the version goes into the staging slot. */
@Component
@ExternalTaskSubscription(TOPIC_DEPLOY_STAGING)
class DeployStagingWorker extends Worker {

  private final DeploymentService deployments;

  DeployStagingWorker(DeploymentService deployments) {
    this.deployments = deployments;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    deployments.deploy(Slot.STAGING, RunContext.from(task).modelVersionId(), task.getProcessInstanceId());
    return Map.of();
  }
}
