package io.medpipe.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.SyntheticTables;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one-class TreeSHAP behind {@link RandomForestModel#explain} ({@link TreeShap}) is exact: its contributions add up
 * to the model output, and every one equals Smile's own {@code shap()} on the same model, for the decided class and
 * every other class, for shallow and deep forests, paths with many distinct features (many quadrature points), and
 * more than two classes.
 */
class TreeShapExactnessTest {

  static final int P = SyntheticTables.P;

  static void assertExactOnTestRows(RandomForestModel model, FeatureTable rows) {
    int k = model.classes().size();
    int p = model.features().size();
    for (int i = 0; i < Math.min(60, rows.rows()); i++) {
      double[] row = rows.x()[i];
      Explanation decided = model.explain(row, p);
      assertThat(decided.predictedClass()).isEqualTo(model.predict(row));
      double[] smile = model.smileShap(row);
      for (int c = 0; c < k; c++) {
        Explanation e = c == decided.predictedClass() ? decided : model.explain(row, c, p);
        assertThat(e.predictedClass()).isEqualTo(c);
        double sum = e.baseValue() + e.top().stream().mapToDouble(Explanation.Contribution::shap).sum();
        assertThat(sum).as("additivity, row %d class %d", i, c).isCloseTo(e.modelOutput(), within(1e-6));
        for (Explanation.Contribution x : e.top()) {
          int j = indexOf(model, x.feature());
          assertThat(x.shap()).as("row %d class %d feature %s vs Smile shap()", i, c, x.feature())
              .isCloseTo(smile[j * k + c], within(1e-6));
        }
      }
    }
  }

  static int indexOf(Classifier model, String feature) {
    for (int j = 0; j < model.features().size(); j++) {
      if (model.features().get(j).name().equals(feature)) {
        return j;
      }
    }
    throw new AssertionError(feature);
  }

  @Test
  void agreesWithSmileOnTheDefaultForest() {
    FeatureTable data = SyntheticTables.rareLabs(800, 3);
    RandomForestModel model = RandomForestModel.fit(data, TrainingOptions.defaults(7));

    assertExactOnTestRows(model, SyntheticTables.rareLabs(100, 4));
  }

  @Test
  void agreesWithSmileOnDeepTreesThatSplitOnAFeatureTwiceOnAPath() {
    FeatureTable data = SyntheticTables.rareLabs(1500, 5);
    TrainingOptions deep = new TrainingOptions(Algorithm.RANDOM_FOREST, 30, 40, 2000, 0, 1, ClassWeighting.BALANCED, 9);
    RandomForestModel model = RandomForestModel.fit(data, deep);

    assertExactOnTestRows(model, SyntheticTables.rareLabs(100, 6));
  }

  @Test
  void agreesWithSmileOnPathsWithManyDistinctFeatures() {
    // 60 features, every one informative a little, trees grown deep: paths hold up to ~30 distinct features, so the
    // quadrature uses up to ~15 points
    TrainingOptions deep = new TrainingOptions(Algorithm.RANDOM_FOREST, 20, 60, 5000, 30, 1, ClassWeighting.NONE, 4);
    RandomForestModel model = RandomForestModel.fit(wide(1500, 60, 13), deep);

    assertExactOnTestRows(model, wide(60, 60, 14));
  }

  @Test
  void agreesWithSmileWithTheCostMatrixDecision() {
    TrainingOptions options = TrainingOptions.defaults(5).withTrees(50).withCosts(CostMatrix.rareMiss(2, 1, 5));
    RandomForestModel model = RandomForestModel.fit(SyntheticTables.rareLabs(800, 21), options);

    assertExactOnTestRows(model, SyntheticTables.rareLabs(100, 22));
  }

  /** p numeric features, each shifted a little for the second class (so deep trees use many of them). */
  static FeatureTable wide(int n, int p, long seed) {
    return SyntheticTables.shifted(n, p, 0.3, 0.15, p, "x_", seed);
  }

  @Test
  void agreesWithSmileForThreeClasses() {
    FeatureTable two = SyntheticTables.rareLabs(900, 8);
    int[] y = two.y().clone();
    for (int i = 0; i < y.length; i++) {
      if (y[i] == 0 && two.x()[i][P - 1] == 2) {
        y[i] = 2; // a third class tied to the categorical feature
      }
    }
    FeatureTable three = new FeatureTable(two.features(), List.of("common", "rare", "other"), two.x(), y);
    RandomForestModel model = RandomForestModel.fit(three, TrainingOptions.defaults(10));

    assertExactOnTestRows(model, SyntheticTables.rareLabs(100, 12));
  }

  @Test
  void ordersContributionsByMagnitude() {
    RandomForestModel model = RandomForestModel.fit(SyntheticTables.rareLabs(600, 1), TrainingOptions.defaults(2));
    Explanation e = model.explain(SyntheticTables.rareLabs(1, 2).x()[0], P);
    assertThat(e.top()).isSortedAccordingTo(
        Comparator.comparingDouble((Explanation.Contribution c) -> Math.abs(c.shap())).reversed());
  }
}
