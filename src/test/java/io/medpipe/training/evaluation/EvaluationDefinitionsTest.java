package io.medpipe.training.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.training.calibration.PlattCalibration;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The new evaluation figures against scikit-learn 1.2 on a 14-row, 3-class fixture (values printed by
 * /usr/bin/python3 with sklearn.metrics: average_precision_score, roc_auc_score, brier_score_loss,
 * LogisticRegression(penalty=None) on logit(p) for the slope, a root of the score equation for the intercept), and
 * bootstrap intervals and cost-matrix decisions against hand-computed cases.
 */
class EvaluationDefinitionsTest {

  private static final int[] Y = {0, 0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2, 0};
  private static final double[][] P = {{.7, .2, .1}, {.5, .4, .1}, {.3, .6, .1}, {.2, .2, .6}, {.4, .35, .25},
      {.8, .1, .1}, {.1, .3, .6}, {.45, .1, .45}, {.2, .5, .3}, {.3, .3, .4}, {.6, .3, .1}, {.5, .45, .05},
      {.33, .33, .34}, {.9, .05, .05}};

  @Test
  void matchesScikitLearnOnTheFixture() {
    ClassificationMetrics m = ClassificationMetrics.of(Y, P, List.of("a", "b", "c"));

    assertThat(m.confusion()).isDeepEqualTo(new int[][] {{5, 0, 1}, {2, 2, 0}, {1, 0, 3}});
    assertThat(m.macroF1()).isCloseTo(0.7103174603174603, within(1e-12));
    assertThat(m.balancedAccuracy()).isCloseTo(0.6944444444444445, within(1e-12));
    double[][] expected = { // ap, auc, brier, slope, intercept, recall, precision
        {0.8964646464646464, 0.8958333333333334, 0.13867142857142858, 2.5536172864424023, -0.10282906423476408,
            0.8333333333333334, 0.625},
        {0.95, 0.9750000000000001, 0.1268857142857143, 7.312373021191832, -0.06989844631309182, 0.5, 1.0},
        {0.95, 0.975, 0.10182857142857142, 4.8400559941024115, 0.20888754812482535, 0.75, 0.75}};
    for (int c = 0; c < 3; c++) {
      ClassificationMetrics.PerClass pc = m.perClass().get(c);
      assertThat(pc.auprc()).as("AP %d", c).isCloseTo(expected[c][0], within(1e-12));
      assertThat(pc.rocAuc()).as("AUC %d", c).isCloseTo(expected[c][1], within(1e-12));
      assertThat(pc.brier()).as("Brier %d", c).isCloseTo(expected[c][2], within(1e-12));
      assertThat(pc.calibrationSlope()).as("slope %d", c).isCloseTo(expected[c][3], within(1e-4)); // lbfgs stops earlier than Newton
      assertThat(pc.calibrationIntercept()).as("intercept %d", c).isCloseTo(expected[c][4], within(1e-8));
      assertThat(pc.recall()).isCloseTo(expected[c][5], within(1e-12));
      assertThat(pc.precision()).isCloseTo(expected[c][6], within(1e-12));
    }
    // specificity of class a by hand: 8 rows are not a, 3 of them predicted a
    assertThat(m.perClass().get(0).specificity()).isCloseTo(5.0 / 8, within(1e-12));
  }

  @Test
  void perfectlyCalibratedProbabilitiesHaveSlopeOneAndInterceptZero() {
    // 4 rows at p=0.25 (1 positive) and 4 at p=0.75 (3 positive): the observed rates equal the predictions
    double[] score = {.25, .25, .25, .25, .75, .75, .75, .75};
    boolean[] positive = {true, false, false, false, true, true, true, false};
    double[] cal = ClassificationMetrics.calibration(score, positive);
    assertThat(cal[0]).isCloseTo(0, within(1e-9));
    assertThat(cal[1]).isCloseTo(1, within(1e-9));
    // Brier by hand: (p - y)^2 = .5625 + 3 x .0625 + 3 x .0625 + .5625 = 1.5, over 8 rows
    assertThat(ClassificationMetrics.brier(score, positive)).isCloseTo(1.5 / 8, within(1e-12));
  }

  @Test
  void calibrationSlopeConvergesForOverConfidentNearZeroOrOneProbabilities() {
    // a full Newton step from slope 1 overshoots here; scikit-learn LogisticRegression(penalty=None): 0.07539843
    double[] score = {1e-6, 1e-6, 1e-6, 0.999999, 0.999999, 0.999999, 0.02, 0.98, 0.5, 0.001};
    boolean[] positive = {false, true, false, true, false, true, false, true, true, false};
    assertThat(ClassificationMetrics.calibration(score, positive)[1]).isCloseTo(0.07539843, within(1e-5));
  }

  @Test
  void plattScalingMapsInflatedRareProbabilitiesBackToThePrevalence() {
    // a "resampled" model: 10% of rows are rare, but it gives them 0.7 and the others 0.3 (noisy ranking)
    int n = 200;
    int[] truth = new int[n];
    double[][] proba = new double[n][];
    for (int i = 0; i < n; i++) {
      truth[i] = i % 10 == 0 ? 1 : 0;
      double p = (truth[i] == 1) == (i % 7 != 0) ? 0.7 : 0.3;
      proba[i] = new double[] {1 - p, p};
    }
    PlattCalibration platt = PlattCalibration.fit(truth, proba, 1);
    double before = 0;
    double after = 0;
    double meanAfter = 0;
    for (int i = 0; i < n; i++) {
      double[] q = platt.apply(proba[i]);
      assertThat(q[0] + q[1]).isCloseTo(1, within(1e-12));
      before += Math.pow(proba[i][1] - truth[i], 2) / n;
      after += Math.pow(q[1] - truth[i], 2) / n;
      meanAfter += q[1] / n;
    }
    assertThat(after).isLessThan(before);
    // the maximum-likelihood intercept makes the mean calibrated probability equal the observed prevalence
    assertThat(meanAfter).isCloseTo(0.10, within(1e-8));
  }

  @Test
  void costMatrixMovesTheThresholdToOneOverOnePlusMissCost() {
    CostMatrix costs = CostMatrix.rareMiss(2, 1, 4); // flag the rare class when p > 1 / (1 + 4) = 0.2
    assertThat(costs.decide(new double[] {0.79, 0.21})).isEqualTo(1);
    assertThat(costs.decide(new double[] {0.81, 0.19})).isEqualTo(0);
    assertThat(Classifier.argMax(new double[] {0.79, 0.21})).isEqualTo(0);
  }

  @Test
  void bootstrapIntervalsAreSeededAndContainThePointEstimate() {
    int[] predicted = new int[Y.length];
    for (int i = 0; i < Y.length; i++) {
      predicted[i] = Classifier.argMax(P[i]);
    }
    BootstrapCi.ClassIntervals ci = BootstrapCi.of(Y, P, predicted, 2, "c", 1000, 7);
    assertThat(ci.recall().value()).isEqualTo(0.75);
    assertThat(ci.recall().lower()).isLessThan(0.75);
    assertThat(ci.recall().upper()).isGreaterThanOrEqualTo(0.75);
    assertThat(ci.precision().lower()).isLessThanOrEqualTo(ci.precision().value());
    assertThat(ci.auprc().lower()).isLessThan(ci.auprc().value());
    assertThat(BootstrapCi.of(Y, P, predicted, 2, "c", 1000, 7)).isEqualTo(ci);

    // 5 rare cases, all found: every bootstrap replicate has recall 1, but 5 cases cannot prove a recall of 0.80;
    // the Wilson bound (5/5: 0.5655, by the textbook formula in Python) takes over
    int[] truth = {0, 0, 0, 1, 1, 1, 1, 1};
    double[][] proba = {{.9, .1}, {.8, .2}, {.7, .3}, {.2, .8}, {.1, .9}, {.3, .7}, {.4, .6}, {.35, .65}};
    BootstrapCi.ClassIntervals perfect = BootstrapCi.of(truth, proba, new int[] {0, 0, 0, 1, 1, 1, 1, 1}, 1, "r",
        200, 1);
    assertThat(perfect.recall().value()).isEqualTo(1.0);
    assertThat(perfect.recall().lower()).isCloseTo(0.5655, within(1e-4));
    assertThat(perfect.recall().upper()).isEqualTo(1.0);
    assertThat(BootstrapCi.percentile(new double[] {0, 1, 2, 3, 4}, 0.025)).isCloseTo(0.1, within(1e-12));
  }
}
