package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.training.ClassificationMetrics;
import io.medpipe.training.TrainingService;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** evaluate-model: held-out metrics; the rare class's figures go to the process for the clinical thresholds. */
@Component
@ExternalTaskSubscription(TOPIC_EVALUATE_MODEL)
class EvaluateModelWorker extends Worker {

  private final TrainingService training;
  private final ObjectMapper json;

  EvaluateModelWorker(TrainingService training, ObjectMapper json) {
    this.training = training;
    this.json = json;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) throws Exception {
    ClassificationMetrics metrics = training.evaluate(UUID.fromString(task.getVariable(VAR_TRAINING_RUN_ID)));
    ClassificationMetrics.PerClass rare = metrics.forClass(task.getVariable(VAR_TARGET_CLASS));
    Map<String, Object> variables = new HashMap<>();
    variables.put(VAR_RARE_RECALL, rare.recall());
    variables.put(VAR_RARE_PRECISION, rare.precision());
    variables.put(VAR_RARE_F1, rare.f1());
    variables.put(VAR_RARE_ROC_AUC, rare.rocAuc());
    variables.put(VAR_RARE_AUPRC, rare.auprc());
    variables.put(VAR_MACRO_F1, metrics.macroF1());
    variables.put(VAR_METRICS_TABLE, json.writeValueAsString(metrics.perClass()));
    return variables;
  }
}
