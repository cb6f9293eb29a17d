package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "promote-model": the registry records the version as production, approved by the DevOps approver. */
@Component
@ExternalTaskSubscription(TOPIC_PROMOTE_MODEL)
class PromoteModelWorker extends Worker {

  private final ModelRegistry registry;

  PromoteModelWorker(ModelRegistry registry) {
    this.registry = registry;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    registry.setStage(UUID.fromString(task.getVariable(VAR_MODEL_VERSION_ID)), ModelVersion.Stage.PRODUCTION,
        task.getVariable(VAR_DEPLOY_APPROVER), task.getProcessInstanceId());
    return Map.of();
  }
}
