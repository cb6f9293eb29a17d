package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.training.TrainingService;
import io.medpipe.training.card.ClinicalValidation;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.camunda.bpm.engine.variable.value.ObjectValue;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.springframework.stereotype.Component;

/**
 * Topic "record-validation": the clinical-validation decision's rows, verdict and reasons into the run's model card.
 * The lists arrive as the engine stored them (JSON); they are read as JSON text rather than deserialised into classes
 * the stream names.
 */
@Component
@ExternalTaskSubscription(TOPIC_RECORD_VALIDATION)
class RecordValidationWorker extends Worker {

  private static final TypeReference<List<Map<String, Object>>> ROWS = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private final TrainingService training;
  private final ObjectMapper json;

  RecordValidationWorker(TrainingService training, ObjectMapper json) {
    this.training = training;
    this.json = json;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception {
    List<Map<String, Object>> rows = read(task, VAR_VALIDATION_RESULTS, ROWS);
    List<String> failures = read(task, VAR_VALIDATION_FAILURES, STRINGS);
    boolean passed = Boolean.TRUE.equals(task.getVariable(VAR_VALIDATION_PASSED));
    training.recordValidation(UUID.fromString(task.getVariable(VAR_TRAINING_RUN_ID)),
        ClinicalValidation.of(rows, passed, failures));
    return Map.of();
  }

  private <T> T read(ExternalTask task, String name, TypeReference<T> type) throws Exception {
    TypedValue value = task.getVariableTyped(name, false);
    if (value == null || (value instanceof ObjectValue o ? o.getValueSerialized() : value.getValue()) == null) {
      return json.readValue("[]", type);
    }
    String text = value instanceof ObjectValue o ? o.getValueSerialized() : json.writeValueAsString(value.getValue());
    return json.readValue(text, type);
  }
}
