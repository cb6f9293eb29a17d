package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.pipeline.RunContext;
import io.medpipe.training.TrainingService;
import io.medpipe.training.card.ClinicalValidation;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "record-validation": the clinical-validation decision's rows, verdict and reasons into the run's model card.
 * The lists arrive as the engine stored them (JSON); {@link RunContext} reads them as JSON text rather than
 * deserialising them into classes the stream names.
 */
@Component
@ExternalTaskSubscription(TOPIC_RECORD_VALIDATION)
class RecordValidationWorker extends Worker {

  private final TrainingService training;

  RecordValidationWorker(TrainingService training) {
    this.training = training;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    RunContext context = RunContext.from(task);
    training.recordValidation(context.trainingRunId(), ClinicalValidation.of(context.validationResults(),
        context.validationPassed(), context.validationFailures()));
    return Map.of();
  }
}
