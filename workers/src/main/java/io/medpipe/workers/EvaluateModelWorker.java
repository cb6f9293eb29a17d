package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.pipeline.RunContext;
import io.medpipe.training.TrainingService;
import io.medpipe.training.evaluation.BootstrapCi;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.HeldOutEvaluation;
import java.util.HashMap;
import java.util.Map;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/**
 * Topic "evaluate-model": held-out metrics; the rare class's figures and the lower bounds of their 95% intervals go to the
 * process for the clinical thresholds. An undefined figure (NaN) is sent as null, which the DMN fails as "not measured".
 */
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
    RunContext context = RunContext.from(task);
    HeldOutEvaluation evaluation = training.evaluate(context.trainingRunId());
    ClassificationMetrics metrics = evaluation.metrics();
    ClassificationMetrics.PerClass rare = metrics.forClass(context.targetClass());
    BootstrapCi.ClassIntervals ci = evaluation.target();
    Map<String, Object> variables = new HashMap<>();
    variables.put(VAR_RARE_RECALL, defined(rare.recall()));
    variables.put(VAR_RARE_PRECISION, defined(rare.precision()));
    variables.put(VAR_RARE_F1, defined(rare.f1()));
    variables.put(VAR_RARE_ROC_AUC, defined(rare.rocAuc()));
    variables.put(VAR_RARE_AUPRC, defined(rare.auprc()));
    variables.put(VAR_RARE_SPECIFICITY, defined(rare.specificity()));
    variables.put(VAR_RARE_BRIER, defined(rare.brier()));
    variables.put(VAR_RARE_RECALL_LOWER, defined(ci.recall().lower()));
    variables.put(VAR_RARE_PRECISION_LOWER, defined(ci.precision().lower()));
    variables.put(VAR_RARE_AUPRC_LOWER, defined(ci.auprc().lower()));
    variables.put(VAR_MACRO_F1, defined(metrics.macroF1()));
    variables.put(VAR_METRICS_TABLE, json.writeValueAsString(metrics.perClass()));
    return variables;
  }

  private static Double defined(double value) {
    return Double.isNaN(value) ? null : value;
  }
}
