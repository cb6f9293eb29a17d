package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.DECISION_CLINICAL_VALIDATION;
import static io.medpipe.pipeline.ProcessConstants.VAR_RARE_AUPRC_LOWER;
import static io.medpipe.pipeline.ProcessConstants.VAR_RARE_PRECISION_LOWER;
import static io.medpipe.pipeline.ProcessConstants.VAR_RARE_RECALL_LOWER;
import static io.medpipe.pipeline.ProcessConstants.VAR_RARE_ROC_AUC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.decisionService;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The clinical thresholds of processes/clinical-validation.dmn, evaluated at and just below each boundary. */
@Deployment(resources = "processes/clinical-validation.dmn")
class ClinicalValidationDecisionTest {

  /**
   * An in-memory engine for path tests. Its configuration is not named camunda.cfg.xml: Camunda's engine lookup
   * would otherwise build a second "default" engine from it inside the Spring Boot tests.
   */
  @RegisterExtension static final ProcessEngineExtension ENGINE = ProcessEngineExtension.builder()
      .configurationResource("process-test.cfg.xml").build();

  @Test
  void metricsExactlyAtTheThresholdsPass() {
    List<Map<String, Object>> rows = evaluate(0.80, 0.50, 0.80, 0.10);

    assertThat(rows).hasSize(4).allSatisfy(row -> assertThat(row).containsEntry("passed", true));
    assertThat(row(rows, "rare-class recall (95% CI lower bound)")).containsEntry("threshold", 0.80)
        .containsEntry("value", 0.80);
    assertThat(row(rows, "rare-class AUPRC (95% CI lower bound)")).containsEntry("threshold", 0.50)
        .containsEntry("value", 0.50);
    assertThat(row(rows, "rare-class ROC-AUC")).containsEntry("threshold", 0.80).containsEntry("value", 0.80);
    assertThat(row(rows, "rare-class precision (95% CI lower bound)")).containsEntry("threshold", 0.10)
        .containsEntry("value", 0.10);
  }

  /** The false-alarm burden: more than 9 false alarms per case found fails, however well the model finds cases. */
  @Test
  void precisionJustBelowItsFloorFailsEvenWithPerfectRecall() {
    List<Map<String, Object>> rows = evaluate(1.0, 0.90, 0.99, 0.0999);

    assertThat(rows).hasSize(4);
    assertThat(row(rows, "rare-class precision (95% CI lower bound)")).containsEntry("passed", false);
    assertThat(rows).filteredOn(r -> !r.get("rule").toString().contains("precision"))
        .allSatisfy(r -> assertThat(r).containsEntry("passed", true));
    assertThat(ValidationOutcome.reason(row(rows, "rare-class precision (95% CI lower bound)")))
        .isEqualTo("rare-class precision (95% CI lower bound) 0.0999 < 0.10");
  }

  @Test
  void recallJustBelowThresholdFails() {
    List<Map<String, Object>> rows = evaluate(0.7999, 0.50, 0.80, 0.5);

    assertThat(rows).hasSize(4);
    assertThat(row(rows, "rare-class recall (95% CI lower bound)")).containsEntry("passed", false)
        .containsEntry("value", 0.7999);
    assertThat(row(rows, "rare-class AUPRC (95% CI lower bound)")).containsEntry("passed", true);
    assertThat(row(rows, "rare-class ROC-AUC")).containsEntry("passed", true);
    assertThat(ValidationOutcome.reason(row(rows, "rare-class recall (95% CI lower bound)")))
        .isEqualTo("rare-class recall (95% CI lower bound) 0.7999 < 0.80");
  }

  @Test
  void eachMetricJustBelowItsThresholdFails() {
    List<Map<String, Object>> rows = evaluate(0.7999, 0.4999, 0.7999, 0.0999);

    assertThat(rows).hasSize(4).allSatisfy(row -> assertThat(row).containsEntry("passed", false));
  }

  @Test
  void metricNotMeasuredFails() {
    Map<String, Object> variables = new HashMap<>();
    variables.put(VAR_RARE_RECALL_LOWER, 0.90);
    variables.put(VAR_RARE_AUPRC_LOWER, null);
    variables.put(VAR_RARE_ROC_AUC, 0.90);
    variables.put(VAR_RARE_PRECISION_LOWER, null);

    List<Map<String, Object>> rows = decisionService()
        .evaluateDecisionTableByKey(DECISION_CLINICAL_VALIDATION, variables).getResultList();

    assertThat(rows).hasSize(4);
    assertThat(row(rows, "rare-class precision (95% CI lower bound)")).containsEntry("passed", false);
    assertThat(row(rows, "rare-class AUPRC (95% CI lower bound)")).containsEntry("passed", false).containsEntry("value",
        null);
    assertThat(ValidationOutcome.reason(row(rows, "rare-class AUPRC (95% CI lower bound)")))
        .isEqualTo("rare-class AUPRC (95% CI lower bound) not measured (threshold 0.50)");
  }

  private static List<Map<String, Object>> evaluate(double recall, double auprc, double rocAuc, double precision) {
    return decisionService().evaluateDecisionTableByKey(DECISION_CLINICAL_VALIDATION,
        Map.of(VAR_RARE_RECALL_LOWER, recall, VAR_RARE_AUPRC_LOWER, auprc, VAR_RARE_ROC_AUC, rocAuc,
            VAR_RARE_PRECISION_LOWER, precision))
        .getResultList();
  }

  private static Map<String, Object> row(List<Map<String, Object>> rows, String rule) {
    return rows.stream().filter(r -> rule.equals(r.get("rule"))).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + rule + " in " + rows));
  }
}
