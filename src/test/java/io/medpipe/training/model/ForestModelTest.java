package io.medpipe.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.SyntheticTables;
import io.medpipe.training.calibration.VectorScaling;
import io.medpipe.training.resampling.Resampling;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * medpipe's raw-frequency forest: its probability is the mean of the leaves' class frequencies, its TreeSHAP is exact
 * (equal to Shapley values computed by brute force over every coalition of features), its explanation adds up to
 * the returned (calibrated) probability, and its bootstrap keeps every class, however small.
 */
class ForestModelTest {

  @Test
  void treeShapEqualsBruteForceShapleyValuesOfTheMeanLeafFrequency() {
    FeatureTable train = SyntheticTables.classes(new int[] {150, 60, 20, 3}, 7, 1.5, 5);
    ForestModel model = ForestModel.fit(train, TrainingOptions.forest(8, 3, ClassWeighting.NONE).withMaxNodes(24), 1);
    FeatureTable test = SyntheticTables.classes(new int[] {5, 5, 5, 2}, 7, 1.5, 6);
    int p = 7;
    double[] phi = new double[p];
    for (int i = 0; i < test.rows(); i++) {
      double[] row = model.impute(test.x()[i]);
      for (int c = 0; c < 4; c++) {
        double output = model.trees().explain(row, c, phi);
        double[] exact = bruteForce(model.trees(), row, c, p);
        for (int j = 0; j < p; j++) {
          assertThat(phi[j]).as("row %d class %d feature %d", i, c, j).isCloseTo(exact[j], within(1e-12));
        }
        assertThat(model.trees().expected(c) + Arrays.stream(phi).sum()).isCloseTo(output, within(1e-12));
        assertThat(output).isEqualTo(model.uncalibrated().predictProba(test.x()[i])[c]);
      }
    }
  }

  /** Shapley values of v(S) = E[f_c | x_S] (path-dependent: unknown features follow the covers), by definition. */
  static double[] bruteForce(TreeShap trees, double[] x, int c, int p) {
    double[] value = new double[1 << p];
    for (int s = 0; s < value.length; s++) {
      value[s] = trees.conditional(x, c, s);
    }
    double[] phi = new double[p];
    double[] factorial = new double[p + 1];
    factorial[0] = 1;
    for (int i = 1; i <= p; i++) {
      factorial[i] = factorial[i - 1] * i;
    }
    for (int j = 0; j < p; j++) {
      for (int s = 0; s < value.length; s++) {
        if ((s & (1 << j)) == 0) {
          int size = Integer.bitCount(s);
          double weight = factorial[size] * factorial[p - size - 1] / factorial[p];
          phi[j] += weight * (value[s | (1 << j)] - value[s]);
        }
      }
    }
    return phi;
  }

  @Test
  void leavesGiveRawClassFrequenciesNotSmilesSmoothedOnes() {
    // one class perfectly separated: its rows' leaves are pure, so its probability reaches 1 (smoothing caps it below)
    FeatureTable train = SyntheticTables.classes(new int[] {200, 200, 200}, 6, 12, 8);
    ForestModel model = ForestModel.fit(train, TrainingOptions.forest(30, 1, ClassWeighting.NONE), 1);
    double[] p = model.predictProba(train.x()[250]);
    assertThat(p[1]).isGreaterThan(0.99);
    assertThat(Arrays.stream(p).sum()).isCloseTo(1, within(1e-12));
  }

  @Test
  void calibratedExplanationAddsUpToTheReturnedProbability() {
    FeatureTable train = SyntheticTables.classes(new int[] {300, 80, 30, 10}, 10, 1.2, 9);
    FeatureTable held = SyntheticTables.classes(new int[] {100, 30, 15, 6}, 10, 1.2, 10);
    ForestModel model = ForestModel.fit(train, TrainingOptions.forest(40, 2, ClassWeighting.BALANCED), 2);
    double[][] proba = Arrays.stream(held.x()).map(model::predictProba).toArray(double[][]::new);
    Classifier calibrated = model.withCalibration(VectorScaling.fit(held.y(), proba), null);
    for (int i = 0; i < 40; i++) {
      double[] returned = calibrated.predictProba(held.x()[i]);
      for (int c = 0; c < 4; c++) {
        Explanation e = calibrated.explain(held.x()[i], c, 10);
        double sum = e.baseValue() + e.top().stream().mapToDouble(Explanation.Contribution::shap).sum();
        assertThat(sum).as("%s", e).isCloseTo(e.modelOutput(), within(1e-9));
        if (e.onReturnedScale()) {
          assertThat(e.modelOutput()).isEqualTo(returned[c]);
        }
      }
    }
    // without calibration the forest's own probability is the returned one: every explanation is on it
    for (int i = 0; i < 40; i++) {
      Explanation e = model.explain(held.x()[i], 10);
      assertThat(e.onReturnedScale()).isTrue();
      assertThat(e.modelOutput()).isEqualTo(model.predictProba(held.x()[i])[e.predictedClass()]);
    }
  }

  @Test
  void balancedBootstrapDrawsAtLeastTheFloorFromEveryClassAndKeepsAbsentClasses() {
    FeatureTable train = SyntheticTables.classes(new int[] {500, 40, 2, 0 + 1}, 8, 2, 11);
    ForestModel model = ForestModel.fit(train, TrainingOptions.forest(10, 4, ClassWeighting.BALANCED), 1);
    assertThat(((ForestModel.Fit) model.provenance().details()).rowsPerTree())
        .isEqualTo(4 * ForestModel.BALANCED_FLOOR);
    int[] rows = java.util.stream.IntStream.range(0, train.rows()).filter(i -> train.y()[i] != 3).toArray();
    ForestModel without = ForestModel.fit(train.subset(rows), TrainingOptions.forest(10, 4, ClassWeighting.BALANCED),
        1);
    double[] p = without.predictProba(train.x()[0]);
    assertThat(p).hasSize(4);
    assertThat(p[3]).isZero();
  }

  @Test
  void sameSeedGivesTheSameForestOnOneOrTwoThreads() {
    FeatureTable train = SyntheticTables.classes(new int[] {200, 50, 10}, 8, 1, 12);
    TrainingOptions options = TrainingOptions.forest(12, 5, ClassWeighting.NONE);
    ForestModel one = ForestModel.fit(train, options, 1);
    ForestModel two = ForestModel.fit(train, options, 2);
    for (double[] row : train.x()) {
      assertThat(two.predictProba(row)).containsExactly(one.predictProba(row));
    }
    Classifier loaded = Classifier.fromBytes(one.toBytes());
    assertThat(loaded.predictProba(train.x()[3])).containsExactly(one.predictProba(train.x()[3]));
  }

  @Test
  void refusesUndersamplingWithAReasonAndAcceptsSmote() {
    assertThatThrownBy(() -> TrainingOptions.forest(10, 1, ClassWeighting.NONE).withResampling(Resampling.UNDERSAMPLE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("balanced bootstrap per tree");
    FeatureTable train = SyntheticTables.classes(new int[] {200, 20, 1}, 8, 2, 13);
    ForestModel smote = ForestModel.fit(train, TrainingOptions.forest(10, 1, ClassWeighting.NONE)
        .withResampling(Resampling.SMOTE), 1);
    assertThat(smote.provenance().resampled().method()).contains("left as it is");
    assertThat(smote.provenance().resampled().classCounts().get("class_2")).isEqualTo(1);
  }

}
