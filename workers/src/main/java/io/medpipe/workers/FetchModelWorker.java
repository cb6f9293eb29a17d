package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.serving.DeploymentService;
import io.medpipe.serving.Slot;
import io.medpipe.signoff.SignOffGate;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "fetch-model": gets the approved version from the registry and verifies its artifact, and remembers what
 * production serves now, which is what a rollback returns to. First of all it checks the run's sign-offs (an
 * incident with the reason when they do not hold).
 */
@Component
@ExternalTaskSubscription(TOPIC_FETCH_MODEL)
class FetchModelWorker extends Worker {

  private final ModelRegistry registry;
  private final DeploymentService deployments;
  private final SignOffGate signOffs;

  FetchModelWorker(ModelRegistry registry, DeploymentService deployments, SignOffGate signOffs) {
    this.registry = registry;
    this.deployments = deployments;
    this.signOffs = signOffs;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    UUID versionId = UUID.fromString(task.getVariable(VAR_MODEL_VERSION_ID));
    signOffs.requireDeployable(task.getProcessInstanceId(), versionId);
    ModelVersion version = registry.get(versionId);
    registry.load(version);
    Map<String, Object> variables = new HashMap<>();
    variables.put(VAR_MODEL_VERSION, version.label());
    variables.put(VAR_PREVIOUS_PRODUCTION_VERSION_ID,
        deployments.current(Slot.PRODUCTION).map(UUID::toString).orElse(null));
    return variables;
  }
}
