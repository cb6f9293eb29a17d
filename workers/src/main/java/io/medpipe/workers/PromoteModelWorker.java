package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.signoff.SignOffGate;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "promote-model": the registry records the version as production, approved by the DevOps approver as the
 * engine recorded the approval (never a variable).
 */
@Component
@ExternalTaskSubscription(TOPIC_PROMOTE_MODEL)
class PromoteModelWorker extends Worker {

  private final ModelRegistry registry;
  private final SignOffGate signOffs;

  PromoteModelWorker(ModelRegistry registry, SignOffGate signOffs) {
    this.registry = registry;
    this.signOffs = signOffs;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    UUID version = UUID.fromString(task.getVariable(VAR_MODEL_VERSION_ID));
    String approver = signOffs.requireDeployable(task.getProcessInstanceId(), version).signedBy();
    registry.setStage(version, ModelVersion.Stage.PRODUCTION, approver, task.getProcessInstanceId());
    return Map.of();
  }
}
