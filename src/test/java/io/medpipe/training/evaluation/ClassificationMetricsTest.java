package io.medpipe.training.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

  private static double[][] binary(double[] positiveScore) {
    double[][] p = new double[positiveScore.length][];
    for (int i = 0; i < p.length; i++) {
      p[i] = new double[] {1 - positiveScore[i], positiveScore[i]};
    }
    return p;
  }

  @Test
  void rocAucCountsTiedScoresAsHalfAndAveragePrecisionIsAStepSum() {
    // By hand: pairs (pos, neg) = (0.9, 0.9) tie -> 1/2, (0.9, 0.1) -> 1, (0.5, 0.9) -> 0, (0.5, 0.1) -> 1: AUC 2.5/4.
    // AP: threshold 0.9 takes 2 rows (1 positive): R=1/2, P=1/2; threshold 0.5: R=1, P=2/3 -> 1/2*1/2 + 1/2*2/3.
    // (The trapezoidal area under the same PR points would be different, which is the point of the check.)
    int[] truth = {1, 0, 1, 0};
    double[] score = {0.9, 0.9, 0.5, 0.1};
    ClassificationMetrics m = ClassificationMetrics.of(truth, binary(score), List.of("neg", "pos"));

    assertThat(m.forClass("pos").rocAuc()).isCloseTo(0.625, within(1e-12));
    assertThat(m.forClass("pos").auprc()).isCloseTo(0.25 + 1.0 / 3, within(1e-12));
  }

  @Test
  void binaryFixtureWithTiesMatchesScikitLearn() {
    // Reference values computed with scikit-learn 1.2.1 (Debian python3-sklearn): roc_auc_score,
    // average_precision_score, f1_score, balanced_accuracy_score, precision/recall_score, confusion_matrix.
    int[] truth = {0, 0, 1, 1, 0, 1, 0, 1, 1, 0};
    double[] score = {0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9, 0.5, 0.6};
    ClassificationMetrics m = ClassificationMetrics.of(truth, binary(score), List.of("a", "b"));

    assertThat(m.confusion()).isDeepEqualTo(new int[][] {{4, 1}, {3, 2}});
    assertThat(m.forClass("b").rocAuc()).isCloseTo(0.76, within(1e-12));
    assertThat(m.forClass("b").auprc()).isCloseTo(0.78928571428571437, within(1e-12));
    assertThat(m.forClass("a").auprc()).isCloseTo(0.79166666666666674, within(1e-12));
    assertThat(m.forClass("a").rocAuc()).isCloseTo(0.76, within(1e-12)); // binary one-vs-rest is symmetric
    assertThat(m.forClass("a").precision()).isCloseTo(0.5714285714285714, within(1e-12));
    assertThat(m.forClass("b").precision()).isCloseTo(0.6666666666666666, within(1e-12));
    assertThat(m.forClass("a").recall()).isCloseTo(0.8, within(1e-12));
    assertThat(m.forClass("b").recall()).isCloseTo(0.4, within(1e-12));
    assertThat(m.forClass("a").f1()).isCloseTo(0.6666666666666666, within(1e-12));
    assertThat(m.forClass("b").f1()).isCloseTo(0.5, within(1e-12));
    assertThat(m.macroF1()).isCloseTo(0.58333333333333326, within(1e-12));
    assertThat(m.balancedAccuracy()).isCloseTo(0.6, within(1e-12));
    assertThat(m.accuracy()).isCloseTo(0.6, within(1e-12));
    // specificity of b = recall of a in the binary case; support by hand
    assertThat(m.forClass("b").specificity()).isCloseTo(0.8, within(1e-12));
    assertThat(m.forClass("b").support()).isEqualTo(5);
  }

  @Test
  void classAbsentFromTruthIsUndefinedNotZero() {
    // Reference values computed with scikit-learn 1.2.1: class c never occurs but is predicted once (row 2).
    int[] truth = {0, 0, 0, 1, 1, 0, 1, 0};
    double[][] proba = {
        {.7, .2, .1}, {.5, .4, .1}, {.2, .3, .5}, {.1, .8, .1},
        {.3, .4, .3}, {.6, .3, .1}, {.45, .45, .1}, {.4, .4, .2}};
    ClassificationMetrics m = ClassificationMetrics.of(truth, proba, List.of("a", "b", "c"));

    assertThat(m.confusion()).isDeepEqualTo(new int[][] {{4, 0, 1}, {1, 2, 0}, {0, 0, 0}});
    ClassificationMetrics.PerClass c = m.forClass("c");
    assertThat(c.support()).isZero();
    assertThat(c.recall()).isNaN();
    assertThat(c.rocAuc()).isNaN();
    assertThat(c.auprc()).isNaN();
    assertThat(c.precision()).isCloseTo(0.0, within(1e-12)); // predicted once, wrongly: defined and 0
    assertThat(c.f1()).isCloseTo(0.0, within(1e-12));
    assertThat(m.forClass("a").rocAuc()).isCloseTo(0.8, within(1e-12));
    assertThat(m.forClass("a").auprc()).isCloseTo(0.9028571428571428, within(1e-12));
    assertThat(m.forClass("b").rocAuc()).isCloseTo(0.93333333333333335, within(1e-12));
    assertThat(m.forClass("b").auprc()).isCloseTo(0.8666666666666667, within(1e-12));
    assertThat(m.forClass("a").f1()).isCloseTo(0.8, within(1e-12));
    assertThat(m.macroF1()).isCloseTo(0.53333333333333333, within(1e-12));
    assertThat(m.balancedAccuracy()).isCloseTo(0.73333333333333339, within(1e-12));
    assertThat(m.accuracy()).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void classNeverPredictedHasUndefinedPrecisionButZeroF1() {
    int[] truth = {0, 0, 1};
    double[][] proba = {{.9, .1}, {.8, .2}, {.6, .4}};
    ClassificationMetrics m = ClassificationMetrics.of(truth, proba, List.of("a", "b"));

    assertThat(m.forClass("b").precision()).isNaN();
    assertThat(m.forClass("b").recall()).isZero();
    assertThat(m.forClass("b").f1()).isZero();
    assertThat(m.forClass("b").rocAuc()).isCloseTo(1.0, within(1e-12));
    assertThat(m.accuracy()).isCloseTo(2.0 / 3, within(1e-12)); // looks fine, yet the minority is never found
    assertThat(m.balancedAccuracy()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void rejectsMismatchedInput() {
    assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0, 1}, new double[][] {{1, 0}}, List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows");
    assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0}, new double[][] {{1, 0, 0}}, List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probabilities");
    assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {2}, new double[][] {{1, 0}}, List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class index");
    ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 1}, new double[][] {{1, 0}, {0, 1}},
        List.of("a", "b"));
    assertThatThrownBy(() -> m.forClass("z")).isInstanceOf(IllegalArgumentException.class);
  }
}
