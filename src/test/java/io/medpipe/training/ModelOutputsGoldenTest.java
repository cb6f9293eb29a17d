package io.medpipe.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.IsotonicCalibration;
import io.medpipe.training.calibration.PlattCalibration;
import io.medpipe.training.calibration.VectorScaling;
import io.medpipe.training.evaluation.CrossValidation;
import io.medpipe.training.evaluation.Progress;
import io.medpipe.training.evaluation.StratifiedSplit;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.Explanation;
import io.medpipe.training.model.MlpOptions;
import io.medpipe.training.model.ModelProvenance;
import io.medpipe.training.model.TrainingOptions;
import io.medpipe.training.model.TransferScheme;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The safety net of the training code: on two fixed tables (hepatitis: 2 classes with missing values; heart: 5 classes
 * with categorical features) every algorithm, with and without calibration, and the pipeline's search, give exactly
 * the probabilities, decisions, explanations and selection figures recorded in {@code golden/model-outputs.jsonl}, and
 * the models as they were saved then ({@code models/golden-*.bin}) load and give them too.
 *
 * <p>Every double is compared by its {@link Double#toString} form, which differs for any two different doubles: the
 * comparison is bit for bit, not within a tolerance. The records of the Smile forest, Smile boosting and the MLP were
 * written by the code before the training package was split into one model type per algorithm; those of XGBoost, the
 * raw-frequency forest, Develop's recipe and the nested search when they replaced Smile's models as candidates (and
 * the earlier Develop model's outputs kept under {@code hepatitis/develop-v1}, for its saved artifact). Run with
 * {@code -DargLine=-Dmedpipe.golden.write=true} only to record a deliberate change of the numbers; saved artifacts
 * are never rewritten.
 */
class ModelOutputsGoldenTest {

  static final String OUTPUTS = "golden/model-outputs.jsonl";
  /** Cases whose model is also kept as a saved artifact, to prove the saved format still loads. */
  static final Set<String> SAVED = Set.of("hepatitis/rf-balanced", "hepatitis/gbt-costs+platt", "heart/gbt",
      "heart/mlp-stack", "heart/rf-balanced+isotonic", "hepatitis/xgb-balanced+vector", "heart/forest+vector",
      "hepatitis/develop");
  /**
   * Saved artifacts whose training is no longer reproduced, only their outputs: the model Develop's recipe made
   * before XGBoost, the raw-frequency forest and vector scaling replaced its candidates (as models in production
   * were made). Its records keep the key it was written under with the suffix; the file keeps its name.
   */
  static final Map<String, String> SAVED_ONLY = Map.of("hepatitis/develop-v1", "models/golden-hepatitis-develop.bin");
  /** Suffix of the records of {@link #SAVED_ONLY} models. */
  static final String SAVED_ONLY_SUFFIX = "-v1";
  /** Explanations are recorded for this many held-out rows (every class); probabilities for all of them. */
  static final int EXPLAINED_ROWS = 12;
  static final boolean WRITE = Boolean.getBoolean("medpipe.golden.write");
  static final ObjectMapper JSON = new ObjectMapper();

  static FeatureTable hepatitis;
  static FeatureTable heart;
  /** Outputs of this run, by record key, in recording order. */
  static final Map<String, JsonNode> actual = new LinkedHashMap<>();
  static final Map<String, Classifier> models = new LinkedHashMap<>();
  static final Map<String, FeatureTable> heldOut = new LinkedHashMap<>();

  @BeforeAll
  static void record() throws IOException {
    hepatitis = CsvFixtures.read("/data/hepatitis/hepatitis.csv", "class");
    heart = CsvFixtures.read("/data/heart_cleveland/heart_cleveland.csv", "num");
    models(hepatitis, "hepatitis", 40);
    models(heart, "heart", 30);
    modern(hepatitis, "hepatitis", 40);
    modern(heart, "heart", 30);
    develop(hepatitis, "hepatitis");
    develop(heart, "heart");
    nested();
    heldOut.put("hepatitis/develop-v1", hepatitis.subset(StratifiedSplit.holdOut(hepatitis.y(), 0.25, 42).test()));
    if (WRITE) {
      StringBuilder out = new StringBuilder();
      for (JsonNode node : actual.values()) {
        JsonNode written = node;
        if (node.has("provenance")) { // compared without them (ADDED_PROVENANCE_KEYS), so not recorded either
          written = node.deepCopy();
          ((ObjectNode) written.get("provenance")).remove(ADDED_PROVENANCE_KEYS);
        }
        out.append(JSON.writeValueAsString(written)).append('\n');
      }
      for (JsonNode node : expected().values()) {
        if (savedOnly(node.get("key").asText())) {
          out.append(JSON.writeValueAsString(node)).append('\n');
        }
      }
      Path dir = Path.of("src/test/resources");
      Files.createDirectories(dir.resolve(OUTPUTS).getParent());
      Files.writeString(dir.resolve(OUTPUTS), out);
      for (String name : SAVED) {
        // a saved artifact is never rewritten: it stands for the format of the version that wrote it
        if (!Files.exists(dir.resolve(artifact(name)))) {
          Files.write(dir.resolve(artifact(name)), models.get(name).toBytes());
        }
      }
    }
  }

  static String artifact(String name) {
    String file = SAVED_ONLY.get(name);
    if (file != null) {
      return file;
    }
    // the Develop model of the current recipe: the file of the earlier one keeps its name (SAVED_ONLY)
    return "models/golden-" + name.replace('/', '-').replace('+', '-') + (name.endsWith("/develop") ? "-2" : "")
        + ".bin";
  }

  /** Whether a record belongs to a {@link #SAVED_ONLY} model. */
  static boolean savedOnly(String key) {
    return SAVED_ONLY.keySet().stream().anyMatch(name -> key.startsWith(name + " "));
  }

  /**
   * XGBoost and the raw-frequency forest, the model types of the current candidate search, fitted on the same 70%
   * and run on the other 30%; one of each also calibrated by vector scaling on out-of-fold predictions of the training
   * rows, as the pipeline calibrates.
   */
  static void modern(FeatureTable table, String set, int trees) {
    int rare = DatasetEvaluation.rarest(table);
    int k = table.classes().size();
    StratifiedSplit.Split split = StratifiedSplit.holdOut(table.y(), 0.3, 7);
    FeatureTable train = table.subset(split.train());
    FeatureTable test = table.subset(split.test());
    for (String strategy : List.of("xgb-balanced", "xgb", "forest", "forest-balanced", "forest-smote-costs")) {
      model(set + "/" + strategy, Classifier.fit(train, DatasetEvaluation.strategy(strategy, k, rare, trees, 42)),
          test);
    }
    String calibrated = k == 2 ? "xgb-balanced" : "forest";
    TrainingOptions options = DatasetEvaluation.strategy(calibrated, k, rare, trees, 42);
    CrossValidation.Result cv = CrossValidation.run(train, options, 5, 42);
    VectorScaling vector = VectorScaling.fit(train.y(), cv.proba());
    model(set + "/" + calibrated + "+vector", Classifier.fit(train, options).withCalibration(
        vector, ModelProvenance.Calibration.fitted(vector, "golden", null, null)).withFeatureImportance(train.x()),
        test);
  }

  /** Every algorithm fitted on a stratified 70% of the table and run on the other 30%. */
  static void models(FeatureTable table, String set, int trees) {
    int rare = DatasetEvaluation.rarest(table);
    int k = table.classes().size();
    StratifiedSplit.Split split = StratifiedSplit.holdOut(table.y(), 0.3, 7);
    FeatureTable train = table.subset(split.train());
    FeatureTable test = table.subset(split.test());
    List<String> strategies = k == 2
        ? List.of("rf-balanced", "rf-smote-costs", "rf-undersample-costs", "gbt-costs", "mlp-costs")
        : List.of("rf-balanced", "rf-smote", "gbt", "gbt-costs", "mlp", "mlp-transfer");
    for (String strategy : strategies) {
      model(set + "/" + strategy, Classifier.fit(train, LegacyStrategies.strategy(strategy, k, rare, trees, 42)),
          test);
    }
    // calibrated: on out-of-fold predictions of the training rows, as the pipeline calibrates
    TrainingOptions gbt = LegacyStrategies.strategy("gbt-costs", k, rare, trees, 42);
    CrossValidation.Result gbtCv = CrossValidation.run(train, gbt, 5, 42);
    PlattCalibration platt = PlattCalibration.fit(train.y(), gbtCv.proba(), rare);
    model(set + "/gbt-costs+platt", Classifier.fit(train, gbt).withCalibration(
        platt, ModelProvenance.Calibration.fitted(platt, "golden", null, null)), test);
    TrainingOptions rf = LegacyStrategies.strategy("rf-balanced", k, rare, trees, 42);
    CrossValidation.Result rfCv = CrossValidation.run(train, rf, 5, 42);
    IsotonicCalibration isotonic = IsotonicCalibration.fit(train.y(), rfCv.proba(), rare);
    model(set + "/rf-balanced+isotonic", Classifier.fit(train, rf).withCalibration(
        isotonic, ModelProvenance.Calibration.fitted(isotonic, "golden", null, null)), test);
    if (k > 2) {
      // the other transfer schemes: frozen (related rows of the training table) and stacked (a separate source)
      MlpOptions frozen = MlpOptions.defaults().withEpochs(20).withPretraining(10).withScheme(TransferScheme.FROZEN);
      model(set + "/mlp-frozen", Classifier.fit(train, TrainingOptions.mlp(frozen, 42)), test);
      MlpOptions stack = MlpOptions.defaults().withEpochs(20).withPretraining(10).withScheme(TransferScheme.STACK);
      model(set + "/mlp-stack", Classifier.fit(train, TrainingOptions.mlp(stack, 42), withoutClass(test, rare)),
          test);
    }
  }

  /** The rows of every class but {@code drop}, relabelled over the remaining classes. */
  static FeatureTable withoutClass(FeatureTable t, int drop) {
    List<String> classes = new ArrayList<>(t.classes());
    classes.remove(drop);
    int[] rows = java.util.stream.IntStream.range(0, t.rows()).filter(i -> t.y()[i] != drop).toArray();
    double[][] x = new double[rows.length][];
    int[] y = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      x[i] = t.x()[rows[i]];
      int c = t.y()[rows[i]];
      y[i] = c < drop ? c : c - 1;
    }
    return new FeatureTable(t.features(), classes, x, y);
  }

  /** Develop's training step: hold-out split, candidate search, refit, calibration. */
  static void develop(FeatureTable table, String set) {
    int rare = DatasetEvaluation.rarest(table);
    TrainingRecipe.Developed developed = TrainingRecipe.develop(table, rare, 42, 60, 0.25);
    ObjectNode node = JSON.createObjectNode();
    node.put("key", set + "/develop selection");
    node.set("testRows", JSON.valueToTree(developed.split().test()));
    node.set("selection", figures(developed.selection().asMap()));
    node.set("outOfFold", doubles(developed.selection().outOfFold()));
    put(node);
    model(set + "/develop", developed.model(), table.subset(developed.split().test()));
  }

  /** The nested search and a fixed strategy as {@code medpipe evaluate} and the benchmark run them. */
  static void nested() throws IOException {
    int rare = DatasetEvaluation.rarest(hepatitis);
    int[] fold = folds("/data/hepatitis/folds_seed42.csv");
    DatasetEvaluation.Outcome search = DatasetEvaluation.search(hepatitis, rare, fold, 30, 42, Progress.NONE);
    put(outcome("hepatitis/nested search", search));
    TrainingOptions fixed = DatasetEvaluation.strategy("forest-balanced-costs", 2, rare, 30, 42);
    put(outcome("hepatitis/fixed forest-balanced-costs",
        DatasetEvaluation.fixed("forest-balanced-costs", hepatitis, fixed, fold, rare, Progress.NONE)));
  }

  static int[] folds(String resource) throws IOException {
    try (InputStream in = ModelOutputsGoldenTest.class.getResourceAsStream(resource)) {
      List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      int[] fold = new int[lines.size() - 1];
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",");
        fold[Integer.parseInt(cells[0])] = Integer.parseInt(cells[1]);
      }
      return fold;
    }
  }

  static ObjectNode outcome(String key, DatasetEvaluation.Outcome o) {
    ObjectNode node = JSON.createObjectNode();
    node.put("key", key);
    node.set("perFold", JSON.valueToTree(o.perFold()));
    node.set("proba", doubles(o.cv().proba()));
    node.set("predicted", JSON.valueToTree(o.cv().predicted()));
    node.set("metrics", figures(JSON.convertValue(o.cv().metrics(), Map.class)));
    if (o.deployed() != null) {
      node.set("deployed", figures(o.deployed().selection().asMap()));
    }
    return node;
  }

  /** Records one model's outputs on the held-out rows. */
  static void model(String name, Classifier model, FeatureTable test) {
    models.put(name, model);
    heldOut.put(name, test);
    outputs(name, model, test).forEach(ModelOutputsGoldenTest::put);
  }

  static List<ObjectNode> outputs(String name, Classifier model, FeatureTable test) {
    List<ObjectNode> out = new ArrayList<>();
    int k = model.classes().size();
    int p = model.features().size();
    for (int i = 0; i < test.rows(); i++) {
      double[] row = test.x()[i];
      ObjectNode node = JSON.createObjectNode();
      node.put("key", name + " row " + i);
      double[] proba = model.predictProba(row);
      node.set("proba", doubles(proba));
      node.put("decide", model.decide(proba));
      node.put("predict", model.predict(row));
      if (model.calibration().isPresent()) {
        node.set("uncalibrated", doubles(model.uncalibrated().predictProba(row)));
      }
      if (model.explainable() && i < EXPLAINED_ROWS) {
        node.set("explainDecided", explanation(model.explain(row, 5)));
        ArrayNode perClass = node.putArray("explainEveryClass");
        for (int c = 0; c < k; c++) {
          perClass.add(explanation(model.explain(row, c, p)));
        }
      }
      out.add(node);
    }
    ObjectNode summary = JSON.createObjectNode();
    summary.put("key", name + " model");
    summary.put("explainable", model.explainable());
    summary.set("classes", JSON.valueToTree(model.classes()));
    summary.set("options", figures(model.options().asMap()));
    if (model.explainable()) {
      summary.set("meanAbsShap", doubles(model.meanAbsShap(test.x())));
    }
    if (model.featureImportance().isPresent()) {
      summary.set("featureImportance", doubles(model.featureImportance().get()));
      summary.put("explanationScale", model.explanationScale());
    }
    Map<String, Object> provenance = new LinkedHashMap<>(model.provenance().asMap());
    provenance.remove("trainedAt");
    provenance.remove("javaVersion");
    summary.set("provenance", figures(provenance));
    out.add(summary);
    return out;
  }

  static ObjectNode explanation(Explanation e) {
    ObjectNode node = JSON.createObjectNode();
    node.put("class", e.predictedClass());
    node.put("scale", e.scale());
    node.put("baseValue", Double.toString(e.baseValue()));
    node.put("modelOutput", Double.toString(e.modelOutput()));
    ArrayNode top = node.putArray("top");
    for (Explanation.Contribution c : e.top()) {
      top.add(JSON.createArrayNode().add(c.feature()).add(Double.toString(c.value())).add(Double.toString(c.shap())));
    }
    return node;
  }

  static ArrayNode doubles(double[] values) {
    ArrayNode a = JSON.createArrayNode();
    for (double v : values) {
      a.add(Double.toString(v));
    }
    return a;
  }

  static ArrayNode doubles(double[][] values) {
    ArrayNode a = JSON.createArrayNode();
    for (double[] row : values) {
      a.add(doubles(row));
    }
    return a;
  }

  /** A map as JSON with every double as its exact text; timings ("seconds") left out, they are not reproducible. */
  static JsonNode figures(Object value) {
    if (value instanceof Map<?, ?> map) {
      ObjectNode node = JSON.createObjectNode();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!"seconds".equals(e.getKey()) && !"trainSeconds".equals(e.getKey())) {
          node.set(String.valueOf(e.getKey()), figures(e.getValue()));
        }
      }
      return node;
    }
    if (value instanceof Iterable<?> list) {
      ArrayNode node = JSON.createArrayNode();
      list.forEach(v -> node.add(figures(v)));
      return node;
    }
    if (value instanceof double[] d) {
      return doubles(d);
    }
    if (value instanceof Double || value instanceof Float) {
      return JSON.getNodeFactory().textNode(Double.toString(((Number) value).doubleValue()));
    }
    if (value instanceof Object[] || value instanceof int[] || value instanceof int[][]) {
      return figures(JSON.convertValue(value, List.class));
    }
    if (value != null && !(value instanceof Number) && !(value instanceof String) && !(value instanceof Boolean)
        && !(value instanceof Enum<?>)) {
      return figures(JSON.convertValue(value, Object.class));
    }
    return JSON.valueToTree(value);
  }

  static void put(ObjectNode node) {
    String key = node.get("key").asText();
    assertThat(actual).as("record keys are unique").doesNotContainKey(key);
    actual.put(key, node);
  }

  static Map<String, JsonNode> expected() {
    try (InputStream in = ModelOutputsGoldenTest.class.getResourceAsStream("/" + OUTPUTS)) {
      assertThat(in).as(OUTPUTS).isNotNull();
      Map<String, JsonNode> out = new LinkedHashMap<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
        JsonNode node = JSON.readTree(line);
        out.put(node.get("key").asText(), node);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Differences between two JSON trees, by path; at most a few, to keep a failure readable. */
  static void diff(String path, JsonNode expected, JsonNode actual, List<String> out) {
    if (out.size() >= 20) {
      return;
    }
    if (expected.isObject() && actual.isObject()) {
      Set<String> names = new java.util.LinkedHashSet<>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode e = expected.get(name);
        JsonNode a = actual.get(name);
        if (e == null || a == null) {
          out.add(path + "." + name + ": expected " + e + ", was " + a);
        } else {
          diff(path + "." + name, e, a, out);
        }
      }
    } else if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
      for (int i = 0; i < expected.size(); i++) {
        diff(path + "[" + i + "]", expected.get(i), actual.get(i), out);
      }
    } else if (expected.isIntegralNumber() && actual.isIntegralNumber()) {
      if (!expected.bigIntegerValue().equals(actual.bigIntegerValue())) {
        out.add(path + ": expected " + expected + ", was " + actual);
      }
    } else if (!expected.equals(actual)) {
      out.add(path + ": expected " + expected + ", was " + actual);
    }
  }

  /** Keys the typed provenance adds to what the string-keyed map held (the rows' checksum). */
  static final List<String> ADDED_PROVENANCE_KEYS = List.of("trainDataSha256");

  static void assertSame(Map<String, JsonNode> expected, Map<String, JsonNode> actual, boolean provenance) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
      JsonNode a = actual.get(e.getKey());
      if (a == null) {
        problems.add(e.getKey() + ": not recorded");
        continue;
      }
      JsonNode want = e.getValue();
      JsonNode was = a;
      if (!provenance && want.has("provenance")) {
        want = ((ObjectNode) want.deepCopy()).without("provenance");
        was = ((ObjectNode) was.deepCopy()).without("provenance");
      } else if (was.has("provenance")) {
        was = was.deepCopy();
        ((ObjectNode) was.get("provenance")).remove(ADDED_PROVENANCE_KEYS);
      }
      if (want.path("provenance").has("oobAccuracy") && was.path("provenance").has("oobAccuracy")) {
        // Smile counts the forest's out-of-bag votes from its parallel tree builders without synchronisation, so this
        // diagnostic can differ by a vote or two between runs while the trees, and every output, are bit-identical
        double recorded = want.path("provenance").path("oobAccuracy").asDouble();
        double now = was.path("provenance").path("oobAccuracy").asDouble();
        if (Math.abs(recorded - now) > 0.05) {
          problems.add(e.getKey() + " model.provenance.oobAccuracy: expected about " + recorded + ", was " + now);
        }
        want = want.deepCopy();
        was = was.deepCopy();
        ((ObjectNode) want.get("provenance")).remove("oobAccuracy");
        ((ObjectNode) was.get("provenance")).remove("oobAccuracy");
      }
      diff(e.getKey(), want, was, problems);
    }
    assertThat(problems).as("differences from the recorded outputs").isEmpty();
  }

  @Test
  void everyAlgorithmGivesTheRecordedOutputsBitForBit() {
    Map<String, JsonNode> expected = new LinkedHashMap<>(expected());
    expected.keySet().removeIf(ModelOutputsGoldenTest::savedOnly);
    assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
    assertSame(expected, actual, true);
  }

  @Test
  void theModelsAsSavedThenLoadAndGiveTheRecordedOutputs() throws IOException {
    Map<String, JsonNode> expected = expected();
    Set<String> saved = new java.util.LinkedHashSet<>(SAVED);
    saved.addAll(SAVED_ONLY.keySet());
    for (String name : saved) {
      byte[] bytes;
      try (InputStream in = ModelOutputsGoldenTest.class.getResourceAsStream("/" + artifact(name))) {
        assertThat(in).as(artifact(name)).isNotNull();
        bytes = in.readAllBytes();
      }
      Classifier loaded = Classifier.fromBytes(bytes);
      Map<String, JsonNode> outputs = new LinkedHashMap<>();
      for (ObjectNode node : outputs(name, loaded, heldOut.get(name))) {
        outputs.put(node.get("key").asText(), node);
      }
      Map<String, JsonNode> want = new LinkedHashMap<>();
      expected.forEach((key, node) -> {
        if (outputs.containsKey(key)) {
          want.put(key, node);
        }
      });
      assertThat(want).as(name).hasSize(outputs.size());
      // the saved model's provenance is the one of the run that saved it (its own trainedAt), so only numbers count
      assertSame(want, outputs, false);
    }
  }
}
