package io.medpipe.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.DatasetEvaluation;
import io.medpipe.training.card.ModelCard;
import io.medpipe.training.evaluation.BootstrapCi;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.CrossValidation;
import io.medpipe.training.evaluation.HeldOutEvaluation;
import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.evaluation.StratifiedSplit;
import io.medpipe.training.resampling.Resampling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The MLP: backpropagation, encoding, reproducibility, persistence, refusal to explain, and transfer learning. */
class MlpModelTest {

  /**
   * Four classes over two numeric features (a ring: only a non-linear boundary separates "ring" from "centre"), a
   * binary and a categorical feature; class "rare" is the small one and lives where the categorical code is "c".
   */
  static FeatureTable rings(int n, double rareShare, long seed) {
    Random r = new Random(seed);
    List<Feature> features = List.of(Feature.numeric("u", "mg/dL", -100, 100, false),
        Feature.numeric("v", "mg/dL", -100, 100, false), Feature.binary("finding", false),
        Feature.categorical("site", List.of("a", "b", "c"), false));
    double[][] x = new double[n][];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double u = r.nextGaussian() * 2;
      double v = r.nextGaussian() * 2;
      int site = r.nextInt(3);
      double radius = Math.hypot(u, v);
      int c;
      if (r.nextDouble() < rareShare) {
        c = 3;
        site = 2;
      } else {
        c = radius < 1.5 ? 0 : u > 0 ? 1 : 2;
      }
      // features on a clinical scale (mean 50, sd 20), so only standardisation makes them easy for the network
      x[i] = new double[] {50 + 10 * u, 50 + 10 * v, r.nextDouble() < (c == 3 ? 0.8 : 0.2) ? 1 : 0, site};
      if (c == 3) {
        x[i][0] = 50 + 10 * r.nextGaussian() * 0.5;
      }
      y[i] = c;
    }
    return new FeatureTable(features, List.of("centre", "east", "west", "rare"), x, y);
  }

  private static TrainingOptions small(long seed) {
    return TrainingOptions.mlp(new MlpOptions(List.of(16, 8), 40, 0.01, 32, 1e-4, 0, null), seed);
  }

  private static double accuracy(Classifier model, FeatureTable test) {
    int right = 0;
    for (int i = 0; i < test.rows(); i++) {
      right += model.predict(test.x()[i]) == test.y()[i] ? 1 : 0;
    }
    return (double) right / test.rows();
  }

  @Test
  void backpropagationMatchesFiniteDifferences() {
    SplittableRandom random = new SplittableRandom(3);
    NeuralNet net = NeuralNet.init(5, new int[] {6, 4}, 3, random);
    double[][] x = new double[12][5];
    int[] y = new int[12];
    double[] w = new double[12];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 5; j++) {
        x[i][j] = random.nextDouble() * 2 - 1;
      }
      y[i] = i % 3;
      w[i] = 1 + i % 2; // row weights, as class weighting makes them
    }
    double[][][] grad = net.gradient(x, y, w);
    double eps = 1e-6;
    int checked = 0;
    for (int l = 0; l < 3; l++) {
      for (int o = 0; o < grad[l].length; o++) {
        for (int i = 0; i < grad[l][o].length; i++) {
          double numeric = (net.nudged(l, o, i, eps).loss(x, y, w) - net.nudged(l, o, i, -eps).loss(x, y, w))
              / (2 * eps);
          assertThat(grad[l][o][i]).as("layer %d weight %d,%d", l, o, i).isCloseTo(numeric, within(1e-6));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(5 * 6 + 6 * 4 + 4 * 3);
  }

  @Test
  void learnsANonLinearMultiClassBoundaryOnOneHotAndStandardisedInputs() {
    FeatureTable data = rings(1500, 0.05, 1);
    StratifiedSplit.Split split = StratifiedSplit.holdOut(data.y(), 0.3, 2);
    Classifier model = Classifier.fit(data.subset(split.train()), small(7));
    assertThat(accuracy(model, data.subset(split.test()))).isGreaterThan(0.9);
    double[] proba = model.predictProba(data.x()[0]);
    assertThat(Arrays.stream(proba).sum()).isCloseTo(1, within(1e-9));
    assertThat(model.options().label()).isEqualTo("MLP 16-8 balanced");
    @SuppressWarnings("unchecked")
    Map<String, Object> mlp = (Map<String, Object>) model.provenance().asMap().get("mlp");
    @SuppressWarnings("unchecked")
    Map<String, Object> encoding = (Map<String, Object>) mlp.get("encoding");
    assertThat(encoding).containsEntry("inputs", 3 + 3).containsEntry("oneHot", List.of("site"));
    assertThat(mlp).containsEntry("transfer", "none").containsKey("trainLoss");
    assertThat(model.provenance().asMap()).containsKeys("imputationValues", "seed", "params", "classCounts");
  }

  @Test
  void imputesMissingValuesAsLearnedFromTrainingRows() {
    FeatureTable data = rings(600, 0.05, 4);
    Classifier model = Classifier.fit(data, small(1));
    double[] proba = model.predictProba(new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN});
    assertThat(Arrays.stream(proba).allMatch(p -> p >= 0 && p <= 1)).isTrue();
    assertThat(Arrays.stream(proba).sum()).isCloseTo(1, within(1e-9));
  }

  @Test
  void sameDataOptionsAndSeedGiveTheSameModel() {
    FeatureTable data = rings(800, 0.05, 5);
    TrainingOptions options = small(11).withMlp(small(11).mlp().withPretraining(5));
    MlpModel a = MlpModel.fit(data, options);
    MlpModel b = MlpModel.fit(data, options);
    MlpModel other = MlpModel.fit(data, options.withSeed(12));
    for (int l = 0; l < 3; l++) {
      assertThat(a.network().weights(l)).isDeepEqualTo(b.network().weights(l));
    }
    assertThat(maxAbsDiff(a.network().weights(0), other.network().weights(0))).isGreaterThan(0);
    for (int i = 0; i < 50; i++) {
      assertThat(a.predictProba(data.x()[i])).containsExactly(b.predictProba(data.x()[i]));
    }
  }

  @Test
  void survivesASaveLoadRoundTripThroughTheAllowList() {
    FeatureTable data = rings(500, 0.05, 6);
    Classifier model = Classifier.fit(data, small(2).withMlp(small(2).mlp().withPretraining(3)));
    Classifier loaded = Classifier.fromBytes(model.toBytes());
    for (int i = 0; i < 20; i++) {
      assertThat(loaded.predictProba(data.x()[i])).containsExactly(model.predictProba(data.x()[i]));
    }
    assertThat(loaded.options()).isEqualTo(model.options());
    assertThat(loaded.toString()).contains("MLP", "hidden layers [16, 8]");
  }

  /**
   * A random forest saved by the code before the MLP existed (commit 5bd2053: no mlp field in the model, no mlp
   * component in TrainingOptions) still loads, predicts the probabilities it predicted then and explains.
   */
  @Test
  void aModelSavedBeforeTheMlpExistedStillLoadsAndPredictsTheSame() throws Exception {
    byte[] bytes;
    try (var in = MlpModelTest.class.getResourceAsStream("/models/rf-before-mlp.model")) {
      bytes = in.readAllBytes();
    }
    Classifier old = Classifier.fromBytes(bytes);
    assertThat(old.options().algorithm()).isEqualTo(Algorithm.RANDOM_FOREST);
    assertThat(old.options().mlp()).isNull();
    assertThat(old.explainable()).isTrue();
    List<String> lines;
    try (var in = MlpModelTest.class.getResourceAsStream("/models/rf-before-mlp.expected.csv")) {
      lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    }
    for (String line : lines.subList(1, lines.size())) {
      double[] v = Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray();
      double[] row = Arrays.copyOf(v, 3);
      assertThat(old.predictProba(row)).containsExactly(Arrays.copyOfRange(v, 3, 6), within(1e-15));
      assertThat(old.explain(row, 3).top()).hasSize(3);
    }
  }

  @Test
  void refusesToExplainAndTheModelCardSaysWhy() {
    FeatureTable data = rings(400, 0.05, 8);
    Classifier model = Classifier.fit(data, small(3));
    assertThat(model.explainable()).isFalse();
    assertThatThrownBy(() -> model.explain(data.x()[0], 3)).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("MLP model has no exact explanation");
    assertThatThrownBy(() -> model.meanAbsShap(data.x())).isInstanceOf(UnsupportedOperationException.class);
    int[] predicted = new int[data.rows()];
    double[][] proba = new double[data.rows()][];
    for (int i = 0; i < data.rows(); i++) {
      proba[i] = model.predictProba(data.x()[i]);
      predicted[i] = model.decide(proba[i]);
    }
    HeldOutEvaluation evaluation = new HeldOutEvaluation(
        ClassificationMetrics.of(data.y(), proba, predicted, data.classes()),
        BootstrapCi.of(data.y(), proba, predicted, 3, "rare", 100, 1), data.rows());
    Map<String, Object> card = ModelCard.json("run", "snap", "rare", model, null, evaluation, data);
    assertThat((Map<?, ?>) card.get("featureImportance")).isEmpty();
    assertThat(card.get("limitations").toString()).contains("no per-prediction explanation");
  }

  @Test
  void mlpIsNotAmongThePipelinesDefaultCandidates() {
    assertThat(ModelSelection.defaultCandidates(10, 1, CostMatrix.rareMiss(3, 1, 5)))
        .noneMatch(o -> o.algorithm() == Algorithm.MLP);
  }

  @Test
  void transferKeepsThePretrainedHiddenLayersAndReplacesTheHead() {
    SplittableRandom random = new SplittableRandom(1);
    NeuralNet source = NeuralNet.init(4, new int[] {5, 3}, 2, random);
    double[][] before = source.weights(0);
    NeuralNet target = source.withNewHead(6, random);
    assertThat(target.weights(0)).isDeepEqualTo(source.weights(0));
    assertThat(target.weights(1)).isDeepEqualTo(source.weights(1));
    assertThat(target.outputs()).isEqualTo(6);
    assertThat(target.weights(2)).hasNumberOfRows(6);
    double[][] trained = target.train(new double[][] {{1, 0, 0, 1}}, new int[] {5}, new double[] {1}, 3, 0.1, 1, 0,
        0, random).weights(0);
    assertThat(maxAbsDiff(trained, before)).isGreaterThan(0);
    assertThat(source.weights(0)).as("training works on a copy").isDeepEqualTo(before);
  }

  @Test
  void fineTuningStartsFromThePretrainedHiddenLayers() {
    FeatureTable data = rings(900, 0.03, 9);
    FeatureTable related = MlpModel.relatedRows(data); // centre/east/west without the rare class
    assertThat(related.classes()).containsExactly("centre", "east", "west");
    MlpOptions pretrain = new MlpOptions(List.of(16, 8), 20, 0.01, 32, 1e-4, 0, null);
    // the pre-training alone: an MLP fitted on the related task with the same seed draws the same random numbers
    MlpModel relatedModel = MlpModel.fit(related, TrainingOptions.mlp(pretrain, 5));
    // transfer with frozen hidden layers: they must be exactly the pre-trained ones, the head new and trained
    MlpOptions frozen = new MlpOptions(List.of(16, 8), 10, 0.01, 32, 1e-4, 20, TransferScheme.FROZEN);
    MlpModel transferred = MlpModel.fit(data, TrainingOptions.mlp(frozen, 5));
    for (int l = 0; l < 2; l++) {
      assertThat(transferred.network().weights(l)).isDeepEqualTo(relatedModel.network().weights(l));
    }
    assertThat(transferred.network().weights(2)).hasNumberOfRows(4);
    // fine-tuning every layer starts there and moves on; from scratch starts elsewhere
    MlpModel tuned = MlpModel.fit(data, TrainingOptions.mlp(frozen.withScheme(TransferScheme.FINE_TUNE), 5));
    MlpModel scratch = MlpModel.fit(data, TrainingOptions.mlp(frozen.withPretraining(0), 5));
    double moved = maxAbsDiff(tuned.network().weights(0), relatedModel.network().weights(0));
    double apart = maxAbsDiff(scratch.network().weights(0), relatedModel.network().weights(0));
    assertThat(moved).isGreaterThan(0).isLessThan(apart);
    @SuppressWarnings("unchecked")
    Map<String, Object> transfer = (Map<String, Object>) ((Map<String, Object>) transferred.provenance().asMap()
        .get("mlp"))
        .get("transfer");
    assertThat(transfer).containsEntry("sourceRows", related.rows()).containsEntry("pretrainEpochs", 20)
        .hasEntrySatisfying("scheme", v -> assertThat(v.toString()).contains("hidden layers frozen"))
        .containsEntry("transferredLayers", 2).containsKeys("sourceSha256", "pretrainLoss", "sourceClassCounts");
    assertThat(transfer.get("source").toString()).contains("every class but the rarest (rare)");
  }

  @Test
  void stackingFeedsThePretrainedNetworksProbabilitiesToANewNetwork() {
    FeatureTable data = rings(900, 0.03, 9);
    FeatureTable related = MlpModel.relatedRows(data);
    MlpOptions pretrain = new MlpOptions(List.of(16, 8), 20, 0.01, 32, 1e-4, 0, null);
    MlpModel relatedModel = MlpModel.fit(related, TrainingOptions.mlp(pretrain, 5));
    MlpOptions stack = new MlpOptions(List.of(16, 8), 20, 0.01, 32, 1e-4, 20, TransferScheme.STACK);
    assertThatThrownBy(() -> Classifier.fit(data, TrainingOptions.mlp(stack, 5)))
        .as("without a separate source the base network would score its own training rows")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("separate source table");
    MlpModel stacked = MlpModel.fit(data, TrainingOptions.mlp(stack, 5), related);
    for (int l = 0; l < 3; l++) {
      assertThat(stacked.baseNetwork().weights(l)).isDeepEqualTo(relatedModel.network().weights(l));
    }
    assertThat(stacked.network().inputs()).as("6 encoded inputs + P(centre), P(east), P(west)").isEqualTo(6 + 3);
    assertThat(stacked.options().label()).isEqualTo("MLP 16-8 balanced + stacked base model");
    @SuppressWarnings("unchecked")
    Map<String, Object> transfer = (Map<String, Object>) ((Map<String, Object>) stacked.provenance().asMap().get("mlp"))
        .get("transfer");
    assertThat(transfer).containsEntry("stackedInputs", List.of("P(centre)", "P(east)", "P(west)"))
        .doesNotContainKey("transferredLayers");
    Classifier loaded = Classifier.fromBytes(stacked.toBytes());
    for (int i = 0; i < 20; i++) {
      assertThat(loaded.predictProba(data.x()[i])).containsExactly(stacked.predictProba(data.x()[i]));
    }
    assertThat(MlpModel.fit(data, TrainingOptions.mlp(stack, 5), related).network().weights(0))
        .isDeepEqualTo(stacked.network().weights(0));
  }

  @Test
  void transferFromASeparateSourceTableIsRecordedAndChecked() {
    FeatureTable data = rings(300, 0.05, 10);
    FeatureTable source = MlpModel.relatedRows(rings(2000, 0, 11));
    TrainingOptions options = small(4).withMlp(small(4).mlp().withPretraining(5));
    Classifier model = Classifier.fit(data, options, source);
    @SuppressWarnings("unchecked")
    Map<String, Object> transfer = (Map<String, Object>) ((Map<String, Object>) model.provenance().asMap().get("mlp"))
        .get("transfer");
    assertThat(transfer).containsEntry("sourceRows", source.rows())
        .containsEntry("source", "a separate table handed to fit");
    assertThat(model.options().label()).isEqualTo("MLP 16-8 balanced + transfer");

    List<Feature> fewer = new ArrayList<>(source.features());
    fewer.set(2, Feature.binary("another_finding", false));
    FeatureTable mismatched = new FeatureTable(fewer, source.classes(), source.x(), source.y());
    assertThatThrownBy(() -> Classifier.fit(data, options, mismatched))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other features");
    FeatureTable binary = new FeatureTable(data.features(), List.of("common", "rare"), data.x(),
        Arrays.stream(data.y()).map(c -> c == 3 ? 1 : 0).toArray());
    assertThatThrownBy(() -> Classifier.fit(binary, options)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs at least 3 classes");
  }

  @Test
  void optionsAreValidatedAndRecorded() {
    assertThatThrownBy(() -> new MlpOptions(List.of(), 10, 0.01, 32, 0, 0, null)).hasMessageContaining("hidden");
    assertThatThrownBy(() -> new MlpOptions(List.of(8), 0, 0.01, 32, 0, 0, null)).hasMessageContaining("epochs");
    assertThatThrownBy(() -> new MlpOptions(List.of(8), 10, 0, 32, 0, 0, null)).hasMessageContaining("learningRate");
    assertThatThrownBy(() -> new MlpOptions(List.of(8), 10, 0.01, 0, 0, 0, null)).hasMessageContaining("batchSize");
    assertThatThrownBy(() -> new MlpOptions(List.of(8), 10, 0.01, 32, -1, 0, null)).hasMessageContaining("l2");
    assertThatThrownBy(() -> new MlpOptions(List.of(8), 10, 0.01, 32, 0, 0, TransferScheme.STACK))
        .hasMessageContaining("STACK needs pre-training");
    assertThatThrownBy(() -> TrainingOptions.defaults(1).withMlp(MlpOptions.defaults()))
        .hasMessageContaining("MLP only");
    TrainingOptions o = TrainingOptions.mlp(null, 3);
    assertThat(o.mlp()).isEqualTo(MlpOptions.defaults());
    assertThat(o.asMap()).containsEntry("algorithm", "MLP").containsKey("mlp").doesNotContainKey("trees");
    assertThat(DatasetEvaluation.strategy("mlp-transfer", 4, 3, 10, 1).mlp().pretrainEpochs())
        .isEqualTo(DatasetEvaluation.TRANSFER_PRETRAIN_EPOCHS);
    assertThatThrownBy(() -> DatasetEvaluation.strategy("mlp-stack", 4, 3, 10, 1))
        .as("stacking needs a separate source table, which one data set does not have")
        .hasMessageContaining("unknown strategy mlp-stack");
  }

  @Test
  void crossValidatesWithResamplingAndACostMatrixInsideFolds() {
    FeatureTable data = rings(600, 0.05, 12);
    TrainingOptions options = small(6).withClassWeighting(ClassWeighting.NONE).withResampling(Resampling.SMOTE)
        .withCosts(CostMatrix.rareMiss(4, 3, 5));
    CrossValidation.Result cv = CrossValidation.run(data, options, 3, 6);
    assertThat(cv.metrics().perClass().get(3).recall()).isGreaterThan(0.5);
  }

  private static double maxAbsDiff(double[][] a, double[][] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return max;
  }
}
