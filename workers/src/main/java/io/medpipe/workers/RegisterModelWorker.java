package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.pipeline.RunContext;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "register-model": the evaluated run becomes an immutable registry version with its artifact. */
@Component
@ExternalTaskSubscription(TOPIC_REGISTER_MODEL)
class RegisterModelWorker extends Worker {

  private final ModelRegistry registry;

  RegisterModelWorker(ModelRegistry registry) {
    this.registry = registry;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    ModelVersion version = registry.register(RunContext.from(task).trainingRunId(),
        task.getProcessInstanceId());
    return Map.of(VAR_MODEL_VERSION_ID, version.id().toString(), VAR_MODEL_VERSION, version.label());
  }
}
