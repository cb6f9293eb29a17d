package io.medpipe.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static io.medpipe.training.SyntheticTables.P;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.SyntheticTables;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.StratifiedSplit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.LinkedMultiValueMap;

class RandomForestModelTest {

  private static FeatureTable data;
  private static StratifiedSplit.Split split;
  private static Classifier balanced;

  /** See {@link SyntheticTables#rareLabs}. */
  static FeatureTable synthetic(int n, long seed) {
    return SyntheticTables.rareLabs(n, seed);
  }

  @BeforeAll
  static void train() {
    data = synthetic(1200, 11);
    split = StratifiedSplit.holdOut(data.y(), 0.3, 5);
    balanced = Classifier.fit(data.subset(split.train()), TrainingOptions.defaults(42));
  }

  private static double[][] probabilities(Classifier model, FeatureTable table) {
    double[][] p = new double[table.rows()][];
    for (int i = 0; i < p.length; i++) {
      p[i] = model.predictProba(table.x()[i]);
    }
    return p;
  }

  @Test
  void sameDataOptionsAndSeedGiveTheSameModel() {
    FeatureTable train = data.subset(split.train());
    FeatureTable test = data.subset(split.test());
    Classifier again = Classifier.fit(train, TrainingOptions.defaults(42));
    Classifier otherSeed = Classifier.fit(train, TrainingOptions.defaults(43));

    assertThat(probabilities(again, test)).isDeepEqualTo(probabilities(balanced, test));
    // and the seed really drives the forest (otherwise the equality above would prove nothing)
    assertThat(probabilities(otherSeed, test)).isNotEqualTo(probabilities(balanced, test));
  }

  @Test
  void balancedWeightingRaisesMinorityRecallOnHeldOutRows() {
    FeatureTable test = data.subset(split.test());
    Classifier unweighted = Classifier.fit(data.subset(split.train()),
        TrainingOptions.defaults(42).withClassWeighting(ClassWeighting.NONE));

    double weightedRecall = ClassificationMetrics.of(test.y(), probabilities(balanced, test), data.classes())
        .forClass("rare").recall();
    double unweightedRecall = ClassificationMetrics.of(test.y(), probabilities(unweighted, test), data.classes())
        .forClass("rare").recall();
    System.out.printf("rare recall: BALANCED %.3f, NONE %.3f%n", weightedRecall, unweightedRecall);
    assertThat(weightedRecall).isGreaterThan(unweightedRecall);
  }

  @Test
  void balancedWeightsGiveTheMajorityTheLargeNumberBecauseSmileDividesBySample() {
    assertThat(RandomForestModel.classWeights(new int[] {900, 100}, ClassWeighting.BALANCED)).containsExactly(9, 1);
    assertThat(RandomForestModel.classWeights(new int[] {92, 24, 47}, ClassWeighting.BALANCED))
        .containsExactly(4, 1, 2);
    assertThat(RandomForestModel.classWeights(new int[] {900, 100}, ClassWeighting.NONE)).containsExactly(1, 1);
  }

  @Test
  void missingValuesAreImputedWithTrainingMediansAndModesAndRecorded() {
    List<Feature> features = List.of(Feature.numeric("lab", null, 0, 100, false), Feature.binary("finding", false),
        Feature.numeric("never", null, 0, 1, false));
    double nan = Double.NaN;
    double[][] x = {{1, 1, nan}, {2, 1, nan}, {nan, 0, nan}, {10, nan, nan}, {4, 1, nan}, {3, 0, nan}};
    int[] y = {0, 0, 0, 1, 1, 1};
    Classifier model = Classifier.fit(new FeatureTable(features, List.of("n", "y"), x, y),
        new TrainingOptions(Algorithm.RANDOM_FOREST, 20, 5, 8, 0, 1, ClassWeighting.NONE, 3));

    @SuppressWarnings("unchecked")
    Map<String, Double> imputed = model.provenance().imputation().values();
    assertThat(imputed).containsEntry("lab", 3.0)   // median of 1, 2, 10, 4, 3
        .containsEntry("finding", 1.0)              // most frequent of 1, 1, 0, 1, 0
        .containsEntry("never", 0.0);
    assertThat(model.provenance().imputation().allMissing()).isEqualTo(List.of("never"));
    assertThat(model.predictProba(new double[] {nan, nan, nan})).containsExactly(
        model.predictProba(new double[] {3, 1, 0}));
  }

  @Test
  void explanationAddsUpToThePlainTreeMeanAndListsTheLargestFirst() {
    FeatureTable test = data.subset(split.test());
    for (int i = 0; i < 25; i++) {
      double[] row = test.x()[i];
      Explanation all = balanced.explain(row, P);
      double sum = all.baseValue() + all.top().stream().mapToDouble(Explanation.Contribution::shap).sum();

      assertThat(all.top()).hasSize(P);
      assertThat(sum).isCloseTo(all.modelOutput(), within(1e-6));
      assertThat(all.predictedClass()).isEqualTo(balanced.predict(row));
      assertThat(all.scale()).isEqualTo(RandomForestModel.SHAP_SCALE);
      // OOB-weighted vote vs plain mean: close, not equal
      assertThat(all.modelOutput()).isCloseTo(balanced.predictProba(row)[all.predictedClass()], within(0.05));

      Explanation top = balanced.explain(row, 5);
      assertThat(top.top()).hasSize(5).isEqualTo(all.top().subList(0, 5));
      for (int j = 1; j < all.top().size(); j++) {
        assertThat(Math.abs(all.top().get(j - 1).shap())).isGreaterThanOrEqualTo(Math.abs(all.top().get(j).shap()));
      }
    }
  }

  @Test
  void explanationReportsTheImputedValueTheModelUsed() {
    double[] row = data.x()[0].clone();
    row[0] = Double.NaN;
    Explanation e = balanced.explain(row, P);
    @SuppressWarnings("unchecked")
    Map<String, Double> imputed = balanced.provenance().imputation().values();
    assertThat(e.top()).filteredOn(c -> c.feature().equals("lab_0")).singleElement()
        .extracting(Explanation.Contribution::value).isEqualTo(imputed.get("lab_0"));
  }

  @Test
  void measuresExplainTimePerRow() {
    FeatureTable test = data.subset(split.test());
    int rows = Math.min(200, test.rows());
    for (int i = 0; i < 20; i++) {
      balanced.explain(test.x()[i], 5); // warm-up
    }
    long start = System.nanoTime();
    double checksum = 0;
    for (int i = 0; i < rows; i++) {
      checksum += balanced.explain(test.x()[i], 5).modelOutput();
    }
    double msPerRow = (System.nanoTime() - start) / 1e6 / rows;
    long predictStart = System.nanoTime();
    for (int i = 0; i < rows; i++) {
      checksum += balanced.predictProba(test.x()[i])[0];
    }
    double predictMs = (System.nanoTime() - predictStart) / 1e6 / rows;
    // printed, not asserted: timing depends on the machine and on parallel builds
    System.out.printf("explain(): %.3f ms/row, predictProba(): %.4f ms/row (%d rows, %d features, %d trees, "
        + "maxNodes %d, checksum %.3f)%n", msPerRow, predictMs, rows, P, balanced.options().trees(),
        balanced.options().maxNodes(), checksum);
    assertThat(checksum).isFinite();
  }

  @Test
  void provenanceSaysHowTheModelWasMade() {
    ModelProvenance typed = balanced.provenance();
    assertThat(typed.options()).isEqualTo(TrainingOptions.defaults(42));
    assertThat(typed.data().rows()).isEqualTo(split.train().length);
    assertThat(typed.data().sha256()).isEqualTo(ModelProvenance.tableSha256(data.subset(split.train())));
    assertThat(typed.details()).isInstanceOfSatisfying(RandomForestModel.Fit.class, fit -> {
      assertThat(fit.mtryUsed()).isEqualTo(4); // floor(sqrt(20))
      assertThat(fit.oobAccuracy()).isBetween(0.5, 1.0);
    });
    assertThat(typed.run()).isNull();
    // the map the stored run and the model card show: the keys of the map this record replaced, plus the checksum
    Map<String, Object> p = typed.asMap();
    assertThat(p).containsKeys("algorithm", "params", "trainedAt", "trainRows", "classCounts", "seed", "smileVersion",
        "javaVersion", "imputationValues", "imputationRule");
    assertThat(p.get("smileVersion")).isEqualTo("3.1.1");
    assertThat(p.get("seed")).isEqualTo(42L);
    assertThat(p.get("trainRows")).isEqualTo(split.train().length);
    assertThat(p.get("params")).isEqualTo(TrainingOptions.defaults(42).asMap());
    assertThat(p).containsKeys("strategy", "resampling", "syntheticRows", "classCountsAfterResampling", "mtryUsed",
        "smileClassWeight", "oobAccuracy", "imputationAllMissing", "trainDataSha256");
    assertThatThrownBy(() -> p.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> params = (Map<String, Object>) p.get("params");
    assertThatThrownBy(() -> params.put("trees", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void serialisedModelPredictsAndExplainsIdentically() {
    Classifier copy = Classifier.fromBytes(balanced.toBytes());
    FeatureTable test = data.subset(split.test());

    assertThat(probabilities(copy, test)).isDeepEqualTo(probabilities(balanced, test));
    assertThat(copy.explain(test.x()[0], 5)).isEqualTo(balanced.explain(test.x()[0], 5));
    assertThat(copy.features()).isEqualTo(balanced.features());
    assertThat(copy.classes()).isEqualTo(balanced.classes());
    assertThat(copy.provenance()).isEqualTo(balanced.provenance());
  }

  @Test
  void deserialisationRejectsClassesOutsideTheAllowList() throws IOException {
    // a java.* map that smuggles in a class from another library
    Map<String, Object> payload = new HashMap<>();
    payload.put("model", new LinkedMultiValueMap<String, String>());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(payload);
    }
    assertThatThrownBy(() -> Classifier.fromBytes(bytes.toByteArray()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REJECTED");

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(text)) {
      out.writeObject("just a string");
    }
    assertThatThrownBy(() -> Classifier.fromBytes(text.toByteArray()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a model");
  }

  @Test
  void rejectsAClassWithoutTrainingRowsAndRowsOfTheWrongWidth() {
    FeatureTable onlyCommon = data.subset(java.util.stream.IntStream.range(0, data.rows())
        .filter(i -> data.y()[i] == 0).limit(50).toArray());
    assertThatThrownBy(() -> Classifier.fit(onlyCommon, TrainingOptions.defaults(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rare");
    assertThatThrownBy(() -> balanced.predictProba(new double[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected " + P);
  }
}
