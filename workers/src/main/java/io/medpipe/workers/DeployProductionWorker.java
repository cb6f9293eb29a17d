package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.serving.DeploymentService;
import io.medpipe.serving.Slot;
import io.medpipe.signoff.SignOffGate;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "deploy-production": the version goes into the production slot; a failure triggers the rollback path. Only
 * with the run's sign-offs intact: without them the step fails into an incident, it is not a deployment failure.
 */
@Component
@ExternalTaskSubscription(TOPIC_DEPLOY_PRODUCTION)
class DeployProductionWorker extends Worker {

  private final DeploymentService deployments;
  private final SignOffGate signOffs;

  DeployProductionWorker(DeploymentService deployments, SignOffGate signOffs) {
    this.deployments = deployments;
    this.signOffs = signOffs;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception {
    UUID version = UUID.fromString(task.getVariable(VAR_MODEL_VERSION_ID));
    signOffs.requireDeployable(task.getProcessInstanceId(), version);
    try {
      deployments.deploy(Slot.PRODUCTION, version, task.getProcessInstanceId());
    } catch (RuntimeException e) {
      String reason = "deployment failed: " + readable(e);
      throw new BpmnFailure(ERROR_DEPLOYMENT_FAILED, reason, Map.of(VAR_FAILURE_REASON, reason));
    }
    return Map.of();
  }
}
