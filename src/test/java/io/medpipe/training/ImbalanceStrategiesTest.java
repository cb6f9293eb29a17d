package io.medpipe.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.evaluation.CrossValidation;
import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.model.ClassWeighting;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.GradientBoostingModel;
import io.medpipe.training.model.TrainingOptions;
import io.medpipe.training.resampling.Resampling;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Resampling inside cross-validation, boosting and candidate selection on the synthetic rare-class fixture. */
class ImbalanceStrategiesTest {

  private static FeatureTable data;

  @BeforeAll
  static void load() {
    data = SyntheticTables.rareLabs(600, 3);
  }

  private static TrainingOptions small(TrainingOptions o) {
    return o.withTrees(30);
  }

  @Test
  void noSyntheticRowReachesATestFold() {
    TrainingOptions smote = small(TrainingOptions.defaults(1).withClassWeighting(ClassWeighting.NONE)
        .withResampling(Resampling.SMOTE));
    CrossValidation.Result cv = CrossValidation.run(data, smote, 5, 42);

    Set<Integer> tested = new HashSet<>();
    for (CrossValidation.Fold fold : cv.foldDetails()) {
      Set<Integer> train = new HashSet<>(Arrays.stream(fold.trainRows()).boxed().toList());
      for (int row : fold.testRows()) {
        assertThat(train).doesNotContain(row);
        assertThat(tested.add(row)).as("row %d tested twice", row).isTrue();
      }
      assertThat(fold.syntheticRows()).isPositive(); // SMOTE ran, inside the fold's fit
      // the fold's model was fitted on its training rows plus synthetic rows only: the rows it scored are the
      // original test rows, and the pooled predictions are exactly one per original row
    }
    assertThat(tested).hasSize(data.rows());
    assertThat(cv.proba().length).isEqualTo(data.rows());
    assertThat(Arrays.stream(cv.proba()).allMatch(java.util.Objects::nonNull)).isTrue();
    assertThat(cv.metrics().perClass().get(1).support()).isEqualTo(data.classCounts()[1]);

    // and the fold model's class counts before resampling are those of its training rows alone
    CrossValidation.Fold first = cv.foldDetails().get(0);
    Classifier foldModel = Classifier.fit(data.subset(first.trainRows()), smote);
    assertThat(foldModel.provenance().data().rows()).isEqualTo(first.trainRows().length);
    assertThat(foldModel.provenance().resampled().syntheticRows()).isEqualTo(first.syntheticRows());
  }

  @Test
  void gradientBoostingIsReproducibleAndRecordsItsStrategy() {
    TrainingOptions gbt = TrainingOptions.boosting(30, 5).withResampling(Resampling.SMOTE)
        .withCosts(CostMatrix.rareMiss(2, 1, 5));
    CrossValidation.Result a = CrossValidation.run(data, gbt, 3, 1);
    CrossValidation.Result b = CrossValidation.run(data, gbt, 3, 1);
    assertThat(b.proba()).isDeepEqualTo(a.proba());
    assertThat(a.metrics().perClass().get(1).rocAuc()).isGreaterThan(0.6);
    Classifier model = Classifier.fit(data, gbt);
    assertThat(model).isInstanceOf(GradientBoostingModel.class);
    assertThat(model.provenance().asMap()).containsEntry("algorithm", "GRADIENT_BOOSTING")
        .containsEntry("strategy", "GBT + SMOTE + cost matrix").containsEntry("subsample", 0.7);
    assertThat(model.explain(data.x()[0], 3).top()).hasSize(3);
    assertThat(Classifier.fromBytes(model.toBytes()).predictProba(data.x()[1]))
        .containsExactly(model.predictProba(data.x()[1]));
  }

  @Test
  void costMatrixRaisesRareRecall() {
    TrainingOptions rf = small(TrainingOptions.defaults(1).withClassWeighting(ClassWeighting.NONE));
    double plain = CrossValidation.run(data, rf, 5, 42).metrics().perClass().get(1).recall();
    double moved = CrossValidation.run(data, rf.withCosts(CostMatrix.rareMiss(2, 1, 10)), 5, 42).metrics()
        .perClass().get(1).recall();
    assertThat(moved).isGreaterThan(plain);
  }

  @Test
  void selectionIsDeterministicAndFollowsThePolicy() {
    List<TrainingOptions> candidates = ModelSelection.defaultCandidates(20, 7, CostMatrix.rareMiss(2, 1, 5));
    ModelSelection.Selection s = ModelSelection.select(data, 1, candidates, 3, 7, 0.5);
    ModelSelection.Selection again = ModelSelection.select(data, 1, candidates, 3, 7, 0.5);
    assertThat(again.chosen()).isEqualTo(s.chosen());
    assertThat(again.candidates()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("seconds")
        .isEqualTo(s.candidates());
    ModelSelection.Candidate chosen = s.candidates().stream().filter(c -> c.options().equals(s.chosen()))
        .findFirst().orElseThrow();
    for (ModelSelection.Candidate c : s.candidates()) {
      if (c.rareSpecificity() >= 0.5) {
        assertThat(chosen.rareRecall()).isGreaterThanOrEqualTo(c.rareRecall());
      }
    }
    assertThat(s.asMap()).containsKeys("policy", "reason", "candidates");
  }

  @Test
  void badInputGetsSpecificMessagesOrADocumentedFallback() {
    TrainingOptions rf = small(TrainingOptions.defaults(1));
    // a class of 3 rows with 5 folds asked: 3 folds, said so
    int[] y = new int[40];
    for (int i = 0; i < 3; i++) {
      y[i] = 1;
    }
    double[][] x = new double[40][];
    for (int i = 0; i < 40; i++) {
      x[i] = new double[] {i % 7, 1.0, Double.NaN}; // a constant and an all-missing feature
    }
    List<Feature> features = List.of(Feature.numeric("a", "u", 0, 10, false), Feature.numeric("constant", "u", 0, 2,
        false), Feature.numeric("empty", "u", 0, 1, false));
    FeatureTable tiny = new FeatureTable(features, List.of("common", "rare"), x, y);
    CrossValidation.Result cv = CrossValidation.run(tiny, rf, 5, 1);
    assertThat(cv.folds()).isEqualTo(3);
    assertThat(cv.note()).contains("class rare has only 3 rows").contains("3 folds");

    int[] one = new int[40];
    one[0] = 1;
    assertThatThrownBy(() -> CrossValidation.run(new FeatureTable(features, List.of("common", "rare"), x, one), rf,
        5, 1)).hasMessageContaining("class rare has only 1 row");
    assertThatThrownBy(() -> CrossValidation.run(new FeatureTable(features, List.of("common", "rare"), x,
        new int[40]), rf, 5, 1)).hasMessageContaining("single class");
  }
}
