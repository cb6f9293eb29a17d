package io.medpipe.training.card;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.SyntheticTables;
import io.medpipe.training.TrainingRecipe;
import io.medpipe.training.evaluation.HeldOutEvaluation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelCardTest {

  @Test
  void cardCarriesProvenanceMetricsIntervalsCurvesAndLimitations() {
    FeatureTable data = SyntheticTables.rareLabs(400, 8);
    TrainingRecipe.Developed developed = TrainingRecipe.develop(data, 1, 3, 20, 0.25);
    FeatureTable test = data.subset(developed.split().test());
    HeldOutEvaluation evaluation = HeldOutEvaluation.of(developed.model(), test, 1, 3);

    Map<String, Object> card = ModelCard.json("run-1", "snap-1", "rare", developed.model(),
        developed.selection().asMap(), evaluation, test);
    assertThat(card).containsKeys("intendedUse", "data", "strategy", "hyperparameters", "selection",
        "heldOutMetrics", "targetIntervals95", "featureImportance", "limitations", "calibration",
        "clinicalValidation");
    Map<?, ?> calibration = (Map<?, ?>) card.get("calibration");
    assertThat(new java.util.ArrayList<Object>(calibration.keySet())).containsExactly("calibration", "before", "after");
    assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) calibration.get("after")).keySet())).contains("brier",
        "calibrationSlope",
        "calibrationIntercept", "reliability");
    assertThat((Map<?, ?>) card.get("featureImportance")).hasSize(data.features().size());
    double[][] proba = new double[test.rows()][];
    for (int i = 0; i < test.rows(); i++) {
      proba[i] = developed.model().predictProba(test.x()[i]);
    }
    String html = ModelCard.html(card, "rare", test.y(), proba, 1);
    assertThat(html).contains("<svg", "aria-label=\"ROC\"", "aria-label=\"Precision-recall\"",
        "aria-label=\"Calibration (deciles)\"", "95% intervals for rare", "Candidate selection", "Limitations",
        "Calibration of rare (held-out)", "aria-label=\"Reliability before (grey) and after (red) calibration\"",
        ModelCard.VALIDATION_START, ModelCard.PENDING);
    assertThat(html).doesNotContain("<script");
  }

  @Test
  void cardListsEveryClinicalValidationRuleWithValueThresholdAndVerdictForAPassAndAFail() {
    String pending = "<html><body><h1>Model card</h1>" + ModelCard.VALIDATION_START + "<h2>Clinical validation</h2><p>"
        + ModelCard.PENDING + "</p>" + ModelCard.VALIDATION_END + "<h2>Limitations</h2><ul></ul></body></html>";
    List<Map<String, Object>> rows = new java.util.ArrayList<>();
    rows.add(Map.of("rule", "rare-class recall (95% CI lower bound)", "threshold", 0.8, "value", 0.62,
        "passed", false));
    Map<String, Object> unmeasured = new java.util.HashMap<>(Map.of("rule", "rare-class AUPRC (95% CI lower bound)",
        "threshold", 0.5, "passed", false));
    unmeasured.put("value", null);
    rows.add(unmeasured);
    rows.add(Map.of("rule", "rare-class ROC-AUC", "threshold", 0.8, "value", 0.95, "passed", true));
    ClinicalValidation failed = ClinicalValidation.of(rows, false, List.of(
        "rare-class recall (95% CI lower bound) 0.62 < 0.80", "rare-class AUPRC (95% CI lower bound) not measured "
            + "(threshold 0.50)"));

    String html = ModelCard.withValidation(pending, failed);
    assertThat(html).doesNotContain(ModelCard.PENDING).contains("Clinical validation: <span", "failed",
        "<td style=\"text-align:left\">rare-class recall (95% CI lower bound)</td><td>0.620</td><td>0.800</td>"
            + "<td><b>FAIL</b></td>",
        "<td>not measured</td><td>0.500</td><td><b>FAIL</b></td>",
        "rare-class ROC-AUC</td><td>0.950</td><td>0.800</td><td>pass</td>",
        "<li>rare-class recall (95% CI lower bound) 0.62 &lt; 0.80</li>", "<h2>Limitations</h2>");
    // recorded twice (a retried task) still shows one section
    assertThat(ModelCard.withValidation(html, failed)).isEqualTo(html);

    Map<String, Object> json = ModelCard.withValidation(Map.of("clinicalValidation", Map.of("status",
        ModelCard.PENDING)), failed);
    Map<?, ?> recorded = (Map<?, ?>) json.get("clinicalValidation");
    assertThat(recorded.get("passed")).isEqualTo(false);
    assertThat((List<?>) recorded.get("rules")).hasSize(3).first().isEqualTo(Map.of(
        "rule", "rare-class recall (95% CI lower bound)", "value", 0.62, "threshold", 0.8, "passed", false));
    assertThat((List<?>) recorded.get("failures")).hasSize(2);

    List<Map<String, Object>> passing = List.of(
        Map.of("rule", "rare-class recall (95% CI lower bound)", "threshold", 0.8, "value", 0.84, "passed", true),
        Map.of("rule", "rare-class AUPRC (95% CI lower bound)", "threshold", 0.5, "value", 0.66, "passed", true),
        Map.of("rule", "rare-class ROC-AUC", "threshold", 0.8, "value", 0.97, "passed", true));
    String passed = ModelCard.withValidation(pending, ClinicalValidation.of(passing, true, List.of()));
    assertThat(passed).contains("<h2>Clinical validation: passed</h2>", "<td>0.840</td><td>0.800</td><td>pass</td>")
        .doesNotContain("FAIL", "rejected");
    // a card stored before the section existed gets it before the limitations
    String old = "<html><body><h2>Limitations</h2></body></html>";
    assertThat(ModelCard.withValidation(old, ClinicalValidation.of(passing, true, List.of())))
        .containsSubsequence(ModelCard.VALIDATION_START, "Clinical validation: passed", "<h2>Limitations</h2>");
  }

  @Test
  void rocCurveEndsInTheCornersAndPrecisionRecallStepsAsAveragePrecision() {
    double[] score = {0.9, 0.8, 0.7, 0.6};
    boolean[] positive = {true, false, true, false};
    assertThat(ModelCard.roc(score, positive)).first().satisfies(p -> assertThat(p).containsExactly(0, 0));
    assertThat(ModelCard.roc(score, positive)).last().satisfies(p -> assertThat(p).containsExactly(1, 1));
    // PR points (recall, precision): (0.5, 1), (0.5, 0.5), (1, 2/3), (1, 0.5)
    assertThat(ModelCard.pr(score, positive).get(2)).containsExactly(1, 2.0 / 3);
  }
}
