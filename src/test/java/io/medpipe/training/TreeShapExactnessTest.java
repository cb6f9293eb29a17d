package io.medpipe.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.dataset.FeatureTable;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The predicted-class TreeSHAP behind {@link ClassifierModel#explain} is exact: its contributions add up to the model
 * output, and every one equals Smile's own {@code shap()} on the same model, for shallow and deep forests and for more
 * than two classes.
 */
class TreeShapExactnessTest {

  static final int P = 20; // ClassifierModelTest.synthetic's width

  static void assertExactOnTestRows(ClassifierModel model, FeatureTable rows) {
    int k = model.classes().size();
    for (int i = 0; i < Math.min(60, rows.rows()); i++) {
      double[] row = rows.x()[i];
      Explanation e = model.explain(row, P);
      double sum = e.baseValue() + e.top().stream().mapToDouble(Explanation.Contribution::shap).sum();
      assertThat(sum).as("additivity, row %d", i).isCloseTo(e.modelOutput(), within(1e-6));

      double[] smile = model.smileShap(row);
      for (Explanation.Contribution c : e.top()) {
        int j = indexOf(model, c.feature());
        assertThat(c.shap()).as("row %d feature %s vs Smile shap()", i, c.feature())
            .isCloseTo(smile[j * k + e.predictedClass()], within(1e-6));
      }
    }
  }

  static int indexOf(ClassifierModel model, String feature) {
    for (int j = 0; j < model.features().size(); j++) {
      if (model.features().get(j).name().equals(feature)) {
        return j;
      }
    }
    throw new AssertionError(feature);
  }

  @Test
  void agreesWithSmileOnTheDefaultForest() {
    FeatureTable data = ClassifierModelTest.synthetic(800, 3);
    ClassifierModel model = ClassifierModel.fit(data, TrainingOptions.defaults(7));

    assertExactOnTestRows(model, ClassifierModelTest.synthetic(100, 4));
  }

  @Test
  void agreesWithSmileOnDeepTreesThatSplitOnAFeatureTwiceOnAPath() {
    FeatureTable data = ClassifierModelTest.synthetic(1500, 5);
    TrainingOptions deep = new TrainingOptions(Algorithm.RANDOM_FOREST, 30, 40, 2000, 0, 1, ClassWeighting.BALANCED, 9);
    ClassifierModel model = ClassifierModel.fit(data, deep);

    assertExactOnTestRows(model, ClassifierModelTest.synthetic(100, 6));
  }

  @Test
  void agreesWithSmileForThreeClasses() {
    FeatureTable two = ClassifierModelTest.synthetic(900, 8);
    int[] y = two.y().clone();
    for (int i = 0; i < y.length; i++) {
      if (y[i] == 0 && two.x()[i][P - 1] == 2) {
        y[i] = 2; // a third class tied to the categorical feature
      }
    }
    FeatureTable three = new FeatureTable(two.features(), List.of("common", "rare", "other"), two.x(), y);
    ClassifierModel model = ClassifierModel.fit(three, TrainingOptions.defaults(10));

    assertExactOnTestRows(model, ClassifierModelTest.synthetic(100, 12));
  }

  @Test
  void ordersContributionsByMagnitude() {
    ClassifierModel model = ClassifierModel.fit(ClassifierModelTest.synthetic(600, 1), TrainingOptions.defaults(2));
    Explanation e = model.explain(ClassifierModelTest.synthetic(1, 2).x()[0], P);
    assertThat(e.top()).isSortedAccordingTo(
        Comparator.comparingDouble((Explanation.Contribution c) -> Math.abs(c.shap())).reversed());
  }
}
