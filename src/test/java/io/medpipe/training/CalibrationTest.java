package io.medpipe.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.IsotonicCalibration;
import io.medpipe.training.calibration.PlattCalibration;
import io.medpipe.training.calibration.ProbabilityCalibration;
import io.medpipe.training.evaluation.CrossValidation;
import io.medpipe.training.evaluation.HeldOutEvaluation;
import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.ModelProvenance;
import io.medpipe.training.model.TrainingOptions;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CalibrationTest {

  private static FeatureTable data;
  private static TrainingRecipe.Developed developed;
  private static FeatureTable test;

  @BeforeAll
  static void develop() {
    data = SyntheticTables.rareLabs(1200, 11);
    developed = TrainingRecipe.develop(data, 1, 42, 60, 0.25, TrainingRecipe.RARE_MISS_COST,
        ProbabilityCalibration.Method.PLATT);
    test = data.subset(developed.split().test());
  }

  @Test
  void developedModelCarriesACalibrationFittedOnOutOfFoldPredictionsAndRecordsIt() {
    Classifier model = developed.model();
    assertThat(model.calibration()).isPresent();
    Map<?, ?> how = model.provenance().calibration().asMap();
    assertThat(how.get("method")).isEqualTo("platt");
    assertThat(how.get("fittedOn").toString()).contains("out-of-fold");
    assertThat(how.get("rows")).isEqualTo(developed.split().train().length);
    // the map was fitted on exactly the chosen candidate's out-of-fold predictions
    assertThat(model.calibration().get()).isEqualTo(
        PlattCalibration.fit(data.subset(developed.split().train()).y(), developed.selection().outOfFold(), 1));
    assertThat(developed.selection().asMap().get("calibration").toString()).startsWith("platt, cross-fitted");
  }

  @Test
  void predictProbaAppliesTheCalibrationAndDecideUsesTheCalibratedProbabilities() {
    Classifier model = developed.model();
    Classifier raw = model.uncalibrated();
    assertThat(raw.calibration()).isEmpty();
    assertThat(raw.provenance().calibration()).isNull();
    assertThat(raw.provenance().asMap()).doesNotContainKey("calibration");
    for (int i = 0; i < test.rows(); i++) {
      double[] expected = model.calibration().get().apply(raw.predictProba(test.x()[i]));
      assertThat(model.predictProba(test.x()[i])).containsExactly(expected, within(1e-15));
    }
  }

  @Test
  void heldOutEvaluationDecidesAsTheDeserialisedModelServesAndReportsBeforeAndAfter() {
    HeldOutEvaluation evaluation = HeldOutEvaluation.of(developed.model(), test, 1, 42);
    Classifier served = Classifier.fromBytes(developed.model().toBytes());
    assertThat(served.calibration()).contains(developed.model().calibration().get());
    assertThat(served.provenance()).isEqualTo(developed.model().provenance());
    int[][] confusion = new int[2][2];
    for (int i = 0; i < test.rows(); i++) {
      confusion[test.y()[i]][served.decide(served.predictProba(test.x()[i]))]++;
    }
    assertThat(evaluation.metrics().confusion()).isDeepEqualTo(confusion);

    HeldOutEvaluation.CalibrationCheck check = evaluation.calibration();
    assertThat(check).isNotNull();
    assertThat(check.calibration().get("method")).isEqualTo("platt");
    assertThat(check.after().brier()).isEqualTo(evaluation.metrics().perClass().get(1).brier());
    // the chosen model may already be nearly calibrated (XGBoost without weights); calibration on out-of-fold rows
    // must then not spoil it, and where balanced training inflated the rare class it must bring it back
    double gapBefore = Math.abs(check.before().meanPredicted() - check.before().observed());
    double gapAfter = Math.abs(check.after().meanPredicted() - check.after().observed());
    if (gapBefore > 0.02) {
      assertThat(gapAfter).isLessThan(gapBefore);
    } else {
      assertThat(gapAfter).isLessThan(0.02);
    }
    assertThat(check.after().brier()).isLessThan(check.before().brier() + 0.005);
    assertThat(check.before().reliability()).isNotEmpty();
    assertThat(check.after().reliability()).isNotEmpty();
  }

  @Test
  void anArtifactSavedBeforeCalibrationExistedStillLoadsAndPredictsAsBefore() throws IOException {
    byte[] bytes;
    try (InputStream in = CalibrationTest.class
        .getResourceAsStream("/models/classifier-model-before-calibration.bin")) {
      bytes = in.readAllBytes();
    }
    Classifier old = Classifier.fromBytes(bytes);
    assertThat(old.calibration()).isEmpty();
    assertThat(old.provenance().calibration()).isNull();
    // written by the single ClassifierModel of that time: 3 trees of 8 leaves on all of hepatitis; row 0's probabilities then
    FeatureTable hepatitis = CsvFixtures.read("/data/hepatitis/hepatitis.csv", "class");
    assertThat(old.predictProba(hepatitis.x()[0])).containsExactly(new double[] {0.13535888448842814,
        0.8646411155115719}, within(1e-12));
    assertThat(old.decide(old.predictProba(hepatitis.x()[0]))).isEqualTo(1);
  }

  @Test
  void isotonicCalibrationIsTheMonotoneLeastSquaresStepFunction() {
    // scores ascending; outcomes 0 1 0 0 1 1: PAV pools {0.2, 0.3, 0.4} -> 1/3, keeps 0.1 -> 0 and {0.5, 0.6} -> 1
    double[] score = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    int[] truth = {0, 1, 0, 0, 1, 1};
    double[][] proba = new double[score.length][];
    for (int i = 0; i < score.length; i++) {
      proba[i] = new double[] {1 - score[i], score[i]};
    }
    IsotonicCalibration iso = IsotonicCalibration.fit(truth, proba, 1);
    assertThat(iso.value()).containsExactly(0, 1.0 / 3, 1);
    assertThat(iso.apply(new double[] {0.75, 0.25})[1]).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(iso.apply(new double[] {0.55, 0.45})[1]).isCloseTo(1.0 / 3 + (1 - 1.0 / 3) / 2, within(1e-12));
    assertThat(iso.apply(new double[] {1, 0})[1]).isZero();
    assertThat(iso.apply(new double[] {0, 1})).containsExactly(0, 1);
    double[] row = iso.apply(new double[] {0.7, 0.3});
    assertThat(row[0] + row[1]).isCloseTo(1, within(1e-12));
    IsotonicCalibration fitted = IsotonicCalibration.fit(data.subset(developed.split().train()).y(),
        developed.selection().outOfFold(), 1);
    Classifier model = developed.model().withCalibration(fitted,
        ModelProvenance.Calibration.fitted(fitted, "test", null, null));
    assertThat(Classifier.fromBytes(model.toBytes()).calibration()).contains(fitted);
  }

  @Test
  void plattScalingOfASeparatingScoreFallsBackToSmoothedTargetsInsteadOfFailing() {
    int[] truth = {0, 0, 0, 0, 1, 1};
    double[][] proba = {{0.9, 0.1}, {0.8, 0.2}, {0.7, 0.3}, {0.6, 0.4}, {0.4, 0.6}, {0.2, 0.8}};
    PlattCalibration platt = PlattCalibration.fit(truth, proba, 1);
    assertThat(platt.a()).isPositive();
    assertThat(platt.apply(proba[5])[1]).isGreaterThan(platt.apply(proba[0])[1]).isLessThan(1);
  }

  @Test
  void crossFittedRecalibrationNeverCalibratesARowWithItsOwnPrediction() {
    FeatureTable train = data.subset(developed.split().train());
    CrossValidation.Result raw = CrossValidation.run(train, TrainingOptions.defaults(42).withTrees(20), 3, 42);
    CrossValidation.Result cal = CrossValidation.recalibrate(raw, train.y(), train.classes(),
        ProbabilityCalibration.Method.PLATT, 1);
    CrossValidation.Fold first = raw.foldDetails().get(0);
    boolean[] in = new boolean[train.rows()];
    for (int i : first.testRows()) {
      in[i] = true;
    }
    int[] otherTruth = java.util.stream.IntStream.range(0, train.rows()).filter(i -> !in[i]).map(i -> train.y()[i])
        .toArray();
    double[][] other = java.util.stream.IntStream.range(0, train.rows()).filter(i -> !in[i])
        .mapToObj(i -> raw.proba()[i]).toArray(double[][]::new);
    PlattCalibration expected = PlattCalibration.fit(otherTruth, other, 1);
    int row = first.testRows()[0];
    assertThat(cal.proba()[row]).containsExactly(expected.apply(raw.proba()[row]), within(1e-15));
    assertThat(CrossValidation.recalibrate(raw, train.y(), train.classes(), ProbabilityCalibration.Method.NONE, 1))
        .isSameAs(raw);
  }

  @Test
  void missCostIsLoweredToTheLargestThatKeepsTheSpecificityFloorAndNeverRaised() {
    // 100 negatives with P(rare) = 0.001 .. 0.100 and 10 positives at 0.9
    int n = 110;
    int[] y = new int[n];
    double[][] proba = new double[n][];
    for (int i = 0; i < n; i++) {
      double p = i < 100 ? (i + 1) / 1000.0 : 0.9;
      y[i] = i < 100 ? 0 : 1;
      proba[i] = new double[] {1 - p, p};
    }
    TrainingOptions options = TrainingOptions.defaults(1).withCosts(CostMatrix.rareMiss(2, 1, 19));
    TrainingOptions capped = ModelSelection.capMissCost(options, proba, y, 1, 0.90);
    double m = ModelSelection.missCost(capped.costs(), 1);
    assertThat(m).isLessThan(19).isGreaterThanOrEqualTo(1);
    int flagged = 0;
    for (int i = 0; i < 100; i++) {
      flagged += capped.costs().decide(proba[i]) == 1 ? 1 : 0;
    }
    // at most 10% of the negatives flagged, and a slightly larger cost would flag more than that
    assertThat(flagged).isLessThanOrEqualTo(10);
    int more = 0;
    for (int i = 0; i < 100; i++) {
      more += CostMatrix.rareMiss(2, 1, m * 1.02).decide(proba[i]) == 1 ? 1 : 0;
    }
    assertThat(more).isGreaterThan(10);
    // already within the floor, or no cost matrix: unchanged
    TrainingOptions modest = TrainingOptions.defaults(1).withCosts(CostMatrix.rareMiss(2, 1, 5));
    assertThat(ModelSelection.capMissCost(modest, proba, y, 1, 0.9)).isSameAs(modest);
    TrainingOptions argmax = TrainingOptions.defaults(1);
    assertThat(ModelSelection.capMissCost(argmax, proba, y, 1, 0.9)).isSameAs(argmax);
  }
}
