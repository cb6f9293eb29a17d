package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.VAR_VALIDATION_FAILURES;
import static io.medpipe.pipeline.ProcessConstants.VAR_VALIDATION_PASSED;
import static io.medpipe.pipeline.ProcessConstants.VAR_VALIDATION_RESULTS;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

/**
 * The end listener of "Validate against clinical thresholds": turns the rows of the DMN decision
 * clinical-validation into the verdict {@code validationPassed} and the reasons {@code validationFailures}.
 *
 * <p>An empty result fails: a model that was measured against no threshold has not been validated.
 */
public class ValidationOutcome implements ExecutionListener {

  @Override
  public void notify(DelegateExecution execution) {
    List<?> rows = (List<?>) execution.getVariable(VAR_VALIDATION_RESULTS);
    ArrayList<String> failures = new ArrayList<>();
    if (rows == null || rows.isEmpty()) {
      failures.add("no clinical threshold was evaluated");
    } else {
      for (Object row : rows) {
        Map<?, ?> result = (Map<?, ?>) row;
        if (!Boolean.TRUE.equals(result.get("passed"))) {
          failures.add(reason(result));
        }
      }
    }
    execution.setVariable(VAR_VALIDATION_PASSED, failures.isEmpty());
    execution.setVariable(VAR_VALIDATION_FAILURES, failures);
  }

  /** E.g. "rare-class recall 0.62 < 0.80", or "rare-class AUPRC not measured (threshold 0.50)". */
  static String reason(Map<?, ?> result) {
    Object rule = result.get("rule");
    Object value = result.get("value");
    String threshold = format(result.get("threshold"));
    if (value == null) {
      return rule + " not measured (threshold " + threshold + ")";
    }
    return rule + " " + format(value) + " < " + threshold;
  }

  /**
   * At least two decimals, at most four, cut rather than rounded so a value just below a threshold never prints as
   * the threshold itself (0.79996 shows as 0.7999, not 0.80).
   */
  static String format(Object number) {
    if (!(number instanceof Number n)) {
      return String.valueOf(number);
    }
    BigDecimal value = new BigDecimal(n.toString()).setScale(4, RoundingMode.DOWN).stripTrailingZeros();
    return value.setScale(Math.max(2, value.scale())).toPlainString();
  }
}
