package io.medpipe.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.SyntheticTables;
import io.medpipe.training.calibration.VectorScaling;
import java.util.Arrays;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * medpipe serves XGBoost from its own arrays of the trees: the margins, probabilities and one-class TreeSHAP
 * contributions equal those of XGBoost's own booster (restored from the bytes the model keeps), the contributions add
 * up to the margin, and the explanation served adds up to the returned probability.
 */
class XgboostModelTest {

  static final int[] COUNTS = {400, 120, 60, 25, 8};
  static FeatureTable train;
  static FeatureTable test;
  static XgboostModel model;
  static Booster booster;

  @BeforeAll
  static void fit() throws Exception {
    train = SyntheticTables.classes(COUNTS, 12, 1.5, 3);
    test = SyntheticTables.classes(new int[] {40, 20, 15, 10, 5}, 12, 1.5, 4);
    model = XgboostModel.fit(train, TrainingOptions.xgboost(60, 7, ClassWeighting.BALANCED), 1);
    booster = XGBoost.loadModel(model.boosterBytes());
  }

  static float[][] native2(double[][] rows, boolean margin, boolean contributions) throws Exception {
    DMatrix m = XgboostModel.matrix(rows, rows[0].length);
    try {
      return contributions ? booster.predictContrib(m, 0) : booster.predict(m, margin);
    } finally {
      m.dispose();
    }
  }

  @Test
  void marginsAndProbabilitiesEqualXgboostsOwn() throws Exception {
    float[][] margins = native2(test.x(), true, false);
    float[][] proba = native2(test.x(), false, false);
    for (int i = 0; i < test.rows(); i++) {
      double[] own = model.margins(test.x()[i]);
      double[] p = model.uncalibrated().predictProba(test.x()[i]);
      for (int c = 0; c < COUNTS.length; c++) {
        assertThat(own[c]).as("margin row %d class %d", i, c).isCloseTo(margins[i][c], within(1e-5));
        assertThat(p[c]).as("probability row %d class %d", i, c).isCloseTo(proba[i][c], within(1e-6));
      }
    }
  }

  @Test
  void oneClassTreeShapEqualsPredictContribAndAddsUpToTheMargin() throws Exception {
    int p = train.features().size();
    float[][] contrib = native2(test.x(), false, true);
    double[] phi = new double[p];
    double worst = 0;
    for (int i = 0; i < test.rows(); i++) {
      double[] margins = model.margins(test.x()[i]);
      for (int c = 0; c < COUNTS.length; c++) {
        double output = model.trees().explain(test.x()[i], c, phi);
        double bias = model.trees().expected(c);
        for (int j = 0; j < p; j++) {
          worst = Math.max(worst, Math.abs(phi[j] - contrib[i][c * (p + 1) + j]));
          assertThat(phi[j]).as("row %d class %d feature %d", i, c, j)
              .isCloseTo(contrib[i][c * (p + 1) + j], within(1e-6));
        }
        assertThat(bias).as("bias, class %d", c).isCloseTo(contrib[i][c * (p + 1) + p], within(1e-6));
        assertThat(bias + Arrays.stream(phi).sum()).as("additivity row %d class %d", i, c)
            .isCloseTo(output, within(1e-9));
        assertThat(output).isCloseTo(margins[c], within(1e-12));
      }
    }
    System.out.printf("largest |own - predictContrib| %.2e%n", worst);
  }

  @Test
  void theServedExplanationAddsUpToTheReturnedProbability() {
    int[] truth = new int[test.rows()];
    double[][] oof = new double[test.rows()][];
    for (int i = 0; i < test.rows(); i++) {
      truth[i] = test.y()[i];
      oof[i] = model.predictProba(test.x()[i]);
    }
    Classifier calibrated = model.withCalibration(VectorScaling.fit(truth, oof), null);
    int p = train.features().size();
    int mapped = 0;
    for (int i = 0; i < test.rows(); i++) {
      double[] proba = calibrated.predictProba(test.x()[i]);
      for (int c = 0; c < COUNTS.length; c++) {
        Explanation e = calibrated.explain(test.x()[i], c, p);
        double sum = e.baseValue() + e.top().stream().mapToDouble(Explanation.Contribution::shap).sum();
        assertThat(sum).as("additivity row %d class %d", i, c).isCloseTo(e.modelOutput(), within(1e-9));
        if (e.onReturnedScale()) {
          mapped++;
          assertThat(e.modelOutput()).isEqualTo(proba[c]);
          assertThat(e.scale()).isEqualTo(XgboostModel.SHAP_SCALE);
        } else {
          assertThat(e.scale()).startsWith(XgboostModel.MARGIN_SCALE).contains("not mapped");
          assertThat(e.modelOutput()).isCloseTo(model.margins(test.x()[i])[c], within(1e-12));
        }
      }
    }
    assertThat(mapped).as("most explanations are of the returned probability").isGreaterThan(
        test.rows() * COUNTS.length * 9 / 10);
  }

  @Test
  void sameDataOptionsAndSeedGiveTheSameModelWhateverTheThreads() {
    TrainingOptions options = TrainingOptions.xgboost(20, 11, ClassWeighting.NONE);
    XgboostModel one = XgboostModel.fit(train, options, 1);
    XgboostModel two = XgboostModel.fit(train, options, 2);
    assertThat(two.boosterBytes()).isEqualTo(one.boosterBytes());
    XgboostModel other = XgboostModel.fit(train, options.withSeed(12), 1);
    assertThat(other.boosterBytes()).isNotEqualTo(one.boosterBytes());
  }

  @Test
  void savedModelLoadsAndPredictsTheSameWithoutTheNativeLibrary() {
    Classifier loaded = Classifier.fromBytes(model.toBytes());
    assertThat(loaded).isInstanceOf(XgboostModel.class);
    for (int i = 0; i < test.rows(); i++) {
      assertThat(loaded.predictProba(test.x()[i])).containsExactly(model.predictProba(test.x()[i]));
      assertThat(loaded.explain(test.x()[i], 3)).isEqualTo(model.explain(test.x()[i], 3));
    }
  }

  @Test
  void missingValuesAreNotImputedButFollowTheLearnedBranch() {
    double[] row = test.x()[0].clone();
    Arrays.fill(row, Double.NaN);
    Explanation e = model.explain(row, 0, 3);
    assertThat(e.top()).allSatisfy(c -> assertThat(c.value()).isNaN());
    assertThat(model.provenance().imputation().rule()).isEqualTo(Imputer.NONE_RULE);
  }

  @Test
  void aClassWithoutTrainingRowsKeepsItsPlace() {
    int[] rows = java.util.stream.IntStream.range(0, train.rows()).filter(i -> train.y()[i] != 4).toArray();
    XgboostModel without = XgboostModel.fit(train.subset(rows), TrainingOptions.xgboost(20, 1, ClassWeighting.BALANCED),
        1);
    double[] p = without.predictProba(test.x()[0]);
    assertThat(p).hasSize(5);
    assertThat(p[4]).isLessThan(0.05);
    assertThat(Arrays.stream(p).sum()).isCloseTo(1, within(1e-12));
  }
}
