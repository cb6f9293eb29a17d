package io.medpipe.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.dataset.FeatureTable;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelCardTest {

  @Test
  void cardCarriesProvenanceMetricsIntervalsCurvesAndLimitations() {
    FeatureTable data = ClassifierModelTest.synthetic(400, 8);
    TrainingService.Developed developed = TrainingService.develop(data, 1, 3, 20, 0.25);
    FeatureTable test = data.subset(developed.split().test());
    TrainingService.Evaluation evaluation = TrainingService.evaluate(developed.model(), test, 1, 3);

    Map<String, Object> card = ModelCard.json("run-1", "snap-1", "rare", developed.model(),
        developed.selection().asMap(), evaluation, test);
    assertThat(card).containsKeys("intendedUse", "data", "strategy", "hyperparameters", "selection",
        "heldOutMetrics", "targetIntervals95", "featureImportance", "limitations");
    assertThat((Map<?, ?>) card.get("featureImportance")).hasSize(data.features().size());
    double[][] proba = new double[test.rows()][];
    for (int i = 0; i < test.rows(); i++) {
      proba[i] = developed.model().predictProba(test.x()[i]);
    }
    String html = ModelCard.html(card, "rare", test.y(), proba, 1);
    assertThat(html).contains("<svg", "aria-label=\"ROC\"", "aria-label=\"Precision-recall\"",
        "aria-label=\"Calibration (deciles)\"", "95% intervals for rare", "Candidate selection", "Limitations");
    assertThat(html).doesNotContain("<script");
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
