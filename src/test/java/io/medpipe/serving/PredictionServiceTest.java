package io.medpipe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.privacy.Pseudonymizer;
import io.medpipe.registry.ModelVersion;
import io.medpipe.serving.PredictionApi.PredictionRequest;
import io.medpipe.serving.PredictionApi.PredictionResponse;
import io.medpipe.system.InvalidRequestException;
import io.medpipe.serving.ServingProperties.Record.Durability;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.MlpOptions;
import io.medpipe.training.model.TrainingOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served diagnosis is the decision the model was validated with (its cost matrix applied), not the most probable
 * class; the explanation explains that class, the response states the rule, and the prediction record holds it.
 */
class PredictionServiceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CostMatrix MISS_COSTS_5 = CostMatrix.rareMiss(2, 1, 5);

  private static FeatureTable train;
  private static FeatureTable test;
  private static Classifier withCosts;

  private final List<PredictionLog.Entry> recorded = Collections.synchronizedList(new ArrayList<>());
  private PredictionRecorder recorder;

  @BeforeAll
  static void fit() {
    train = table(900, 1);
    test = table(400, 2);
    withCosts = Classifier.fit(train, TrainingOptions.defaults(3).withTrees(60).withCosts(MISS_COSTS_5));
  }

  /** 8 numeric labs (3 shifted for the rare class) and a binary finding; 8% rare, 5% missing. */
  static FeatureTable table(int n, long seed) {
    Random r = new Random(seed);
    List<Feature> features = new ArrayList<>();
    for (int j = 0; j < 8; j++) {
      features.add(Feature.numeric("lab_" + j, "u", -10, 10, false));
    }
    features.add(Feature.binary("finding", false));
    double[][] x = new double[n][9];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextDouble() < 0.08 ? 1 : 0;
      for (int j = 0; j < 8; j++) {
        x[i][j] = r.nextDouble() < 0.05 ? Double.NaN : r.nextGaussian() + (y[i] == 1 && j < 3 ? 0.7 : 0);
      }
      x[i][8] = r.nextDouble() < (y[i] == 1 ? 0.5 : 0.2) ? 1 : 0;
    }
    return new FeatureTable(features, List.of("common", "rare"), x, y);
  }

  private PredictionService service(Classifier model) {
    PredictionLog log = new PredictionLog(null, null) {
      @Override
      void write(List<Entry> entries) {
        recorded.addAll(entries);
      }
    };
    var properties = PredictionRecorderTest.properties(Durability.COMMIT, 100);
    recorder = new PredictionRecorder(log, properties, new SimpleMeterRegistry());
    recorder.start();
    ModelVersion version = new ModelVersion(UUID.randomUUID(), "test-model", 1, null, null, null, "RANDOM_FOREST",
        Map.of(), Map.of(), null, null, null, null, OffsetDateTime.now(), ModelVersion.Stage.PRODUCTION);
    ModelSlots slots = new ModelSlots(null, null) {
      @Override
      public Optional<Active> get(Slot slot) {
        return Optional.of(new Active(version, model));
      }
    };
    meters = new SimpleMeterRegistry();
    return new PredictionService(slots, recorder, meters, properties, PredictionRecorderTest.privacy(),
        PredictionService.DEFAULT_MIN_COMPLETENESS);
  }

  /** The meters of the last {@link #service}. */
  private SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @Test
  void singleAndBatchRequestsAreTimedApartSoABatchDoesNotHideASlowSingleP99() {
    PredictionService service = service(withCosts);
    service.predict(Slot.STAGING, request(test, 0), "client", false);
    service.predict(Slot.STAGING, request(test, 1), "client", false);
    service.predictBatch(Slot.STAGING, List.of(request(test, 2), request(test, 3), request(test, 4)), "client", false);

    assertThat(meters.get("medpipe.prediction.latency").tags("slot", "staging", "request", "single").timer().count())
        .isEqualTo(2);
    assertThat(meters.get("medpipe.prediction.latency").tags("slot", "staging", "request", "batch").timer().count())
        .isEqualTo(1);
    assertThat(meters.get("medpipe.prediction.latency").tags("slot", "production").timers())
        .allMatch(t -> t.count() == 0);
  }

  @AfterEach
  void stop() {
    if (recorder != null) {
      recorder.stop();
    }
  }

  static PredictionRequest request(FeatureTable table, int row) {
    Map<String, JsonNode> features = new LinkedHashMap<>();
    for (int j = 0; j < table.features().size(); j++) {
      Object value = RequestEncoder.decode(table.features().get(j), table.x()[row][j]);
      if (value != null) {
        features.put(table.features().get(j).name(), JSON.valueToTree(value));
      }
    }
    return new PredictionRequest(features, "case-" + row, null);
  }

  /** Rows where the cost matrix flags the rare class although "common" is more probable. */
  private static List<Integer> rowsWhereTheDecisionIsNotTheMostProbableClass(Classifier model) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < test.rows(); i++) {
      double[] p = model.predictProba(test.x()[i]);
      if (model.decide(p) != Classifier.argMax(p)) {
        rows.add(i);
      }
    }
    return rows;
  }

  /** The row's request with only the named features sent. */
  static PredictionRequest partial(FeatureTable table, int row, java.util.Set<String> sent) {
    Map<String, JsonNode> features = new LinkedHashMap<>(request(table, row).features());
    features.keySet().retainAll(sent);
    return new PredictionRequest(features, "case-" + row, null);
  }

  /** XGBoost with every class calibrated and its importance recorded, as the pipeline makes it. */
  static Classifier pipelineLike() {
    Classifier xgb = Classifier.fit(train, TrainingOptions.xgboost(60, 3,
        io.medpipe.training.model.ClassWeighting.BALANCED));
    double[][] proba = java.util.Arrays.stream(test.x()).map(xgb::predictProba).toArray(double[][]::new);
    return xgb.withCalibration(io.medpipe.training.calibration.VectorScaling.fit(test.y(), proba), null)
        .withFeatureImportance(train.x());
  }

  @Test
  void anInputCarryingTooLittleOfTheModelsImportanceGetsNoAutomatedDecisionAndTheRecordSaysSo() {
    Classifier model = pipelineLike();
    PredictionService service = service(model);

    // the binary finding and two noise labs: 3 of 9 features, but little of what the model relies on
    PredictionResponse r = service.predict(Slot.PRODUCTION, partial(test, 0, java.util.Set.of("finding", "lab_6",
        "lab_7")), "client", true);

    assertThat(r.decision()).isEqualTo(PredictionResponse.INSUFFICIENT_DATA);
    assertThat(r.predictedClass()).isNull();
    assertThat(r.explanation()).isNull();
    assertThat(r.inputCompleteness()).isLessThan(PredictionService.DEFAULT_MIN_COMPLETENESS);
    assertThat(r.decisionDescription()).startsWith("no automated decision").contains("below the 50% required");
    assertThat(r.probabilities()).containsOnlyKeys("common", "rare");
    assertThat(recorded).hasSize(1);
    assertThat(recorded.get(0).response().decision()).isEqualTo(PredictionResponse.INSUFFICIENT_DATA);
    assertThat(recorded.get(0).response().inputCompleteness()).isEqualTo(r.inputCompleteness());
    assertThat(meters.get("medpipe.predictions").tag("class", PredictionResponse.INSUFFICIENT_DATA).counter()
        .count()).isEqualTo(1);
  }

  @Test
  void completenessIsWeightedByTheModelsImportanceNotCounted() {
    Classifier model = pipelineLike();
    PredictionService service = service(model);
    int row = java.util.stream.IntStream.range(0, test.rows())
        .filter(i -> !Double.isNaN(test.x()[i][0]) && !Double.isNaN(test.x()[i][1]) && !Double.isNaN(test.x()[i][2]))
        .findFirst().orElseThrow();

    // the three informative labs: a third of the features, most of the importance
    PredictionResponse r = service.predict(Slot.PRODUCTION, partial(test, row, java.util.Set.of("lab_0", "lab_1",
        "lab_2")), "client", true);

    assertThat(r.decision()).isEqualTo(PredictionResponse.AUTOMATED);
    assertThat(r.inputCompleteness()).isGreaterThan(PredictionService.DEFAULT_MIN_COMPLETENESS);
    assertThat(r.predictedClass()).isEqualTo(model.classes().get(model.predict(
        RequestEncoder.encode(model.features(), r.requestId() == null ? null : partial(test, row,
            java.util.Set.of("lab_0", "lab_1", "lab_2")).features()).row())));
    PredictionResponse full = service.predict(Slot.PRODUCTION, request(test, row), "client", false);
    assertThat(full.inputCompleteness()).isGreaterThan(r.inputCompleteness());
  }

  @Test
  void theExplanationAddsUpToTheReturnedProbabilityAndSaysOnWhichScale() {
    Classifier model = pipelineLike();
    PredictionService service = service(model);
    int onReturned = 0;
    for (int row = 0; row < 60; row++) {
      PredictionResponse r = service.predict(Slot.PRODUCTION, request(test, row), "client", true);
      assertThat(r.explanation().scale()).isNotBlank();
      if (r.explanation().explainsReturnedProbability()) {
        onReturned++;
        assertThat(r.explanation().modelOutput()).isEqualTo(r.probabilities().get(r.predictedClass()));
        // every contribution (not only the top five) adds up to the returned probability
        var all = model.explain(test.x()[row], model.classes().indexOf(r.predictedClass()), 9);
        double sum = all.baseValue() + all.top().stream().mapToDouble(c -> c.shap()).sum();
        assertThat(sum).isCloseTo(r.probabilities().get(r.predictedClass()), within(1e-9));
      }
    }
    assertThat(onReturned).isGreaterThan(50);
  }

  @Test
  void storesOnlyTheKeyedHmacOfThePatientReference() {
    PredictionService service = service(withCosts);
    PredictionRequest r = request(test, 0);
    service.predict(Slot.PRODUCTION, new PredictionRequest(r.features(), "case-0", "psn-4c1d9e2a"), "client", false);

    String expected = new Pseudonymizer(PredictionRecorderTest.REFERENCE_KEY).apiReference("psn-4c1d9e2a");
    // the reference key, not the pseudonymisation key (an API node holds only the former)
    assertThat(new Pseudonymizer(PredictionRecorderTest.PSEUDONYM_KEY).apiReference("psn-4c1d9e2a"))
        .isNotEqualTo(expected);
    assertThat(recorded).extracting(PredictionLog.Entry::patientRef).containsExactly(expected);
    assertThat(expected).startsWith("r-").doesNotContain("4c1d9e2a");
    assertThat(new Pseudonymizer("another-key-of-16-chars").apiReference("psn-4c1d9e2a")).isNotEqualTo(expected);
  }

  @Test
  void refusesIdentifierShapedReferencesAndRequestIdsNamingTheFieldAndRecordsNothing() {
    PredictionService service = service(withCosts);
    PredictionRequest r = request(test, 0);
    for (String[] bad : new String[][] {{"MRN-4471902", null}, {"ssn-123-45-6789", null},
        {"phone-555-867-5309", null}, {"JaneDoe-1970-01-31", null}, {null, "jane.doe@example.org"},
        {null, "4471902"}, {null, "doe_1970-01-31"}, {null, "Novak:Olivia:30-Sep-58"},
        {null, "novak-olivia-30sep58"}, {null, "Novak-Olivia-Sep58"}, {"novak-olivia-30sep58", null}}) {
      assertThatThrownBy(() -> service.predict(Slot.PRODUCTION, new PredictionRequest(r.features(), bad[1], bad[0]),
          "client", false))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
            assertThat(e.problems()).extracting(InvalidRequestException.FieldProblem::field)
                .containsExactly(bad[0] != null ? "patientRef" : "requestId");
            assertThat(e.getMessage()).doesNotContain(bad[0] != null ? bad[0] : bad[1]);
          });
    }
    assertThatThrownBy(() -> service.predictBatch(Slot.PRODUCTION, List.of(r,
        new PredictionRequest(r.features(), null, "tel.555.867.5309")), "client", false))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
            .extracting(InvalidRequestException.FieldProblem::field).containsExactly("requests[1].patientRef"));
    assertThat(recorded).isEmpty();
  }

  @Test
  void answersTheCostMatrixDecisionAndExplainsIt() {
    List<Integer> rows = rowsWhereTheDecisionIsNotTheMostProbableClass(withCosts);
    assertThat(rows).as("the fixture must hold rows where threshold moving changes the answer").hasSizeGreaterThan(3);
    PredictionService service = service(withCosts);

    for (int row : rows) {
      PredictionResponse r = service.predict(Slot.PRODUCTION, request(test, row), "client", true);
      assertThat(r.probabilities().get("rare")).isLessThanOrEqualTo(0.5).isGreaterThan(1.0 / 6);
      assertThat(r.predictedClass()).as("row %d", row).isEqualTo("rare");
      assertThat(r.decisionRule()).isEqualTo(DecisionRule.LEAST_EXPECTED_COST);
      assertThat(r.decisionThreshold()).isCloseTo(1.0 / 6, within(1e-12));
      assertThat(r.thresholdClass()).isEqualTo("rare");
      assertThat(r.decisionDescription()).isEqualTo("rare if P(rare) > P(common) / 5, else common");
      // the explanation is of the rare class, the one answered
      var rare = withCosts.explain(test.x()[row], 1, 5);
      assertThat(r.explanation().modelOutput()).isEqualTo(rare.modelOutput());
      assertThat(r.explanation().baseValue()).isEqualTo(rare.baseValue());
    }
    assertThat(recorded).extracting(e -> e.response().predictedClass()).containsOnly("rare").hasSize(rows.size());
  }

  @Test
  void batchesAnswerTheSameDecision() {
    List<Integer> rows = rowsWhereTheDecisionIsNotTheMostProbableClass(withCosts);
    rows = rows.subList(0, Math.min(100, rows.size()));
    PredictionService service = service(withCosts);

    List<PredictionResponse> batch = service.predictBatch(Slot.STAGING,
        rows.stream().map(i -> request(test, i)).toList(), "client", false);

    assertThat(batch).extracting(PredictionResponse::predictedClass).containsOnly("rare");
    assertThat(batch).extracting(PredictionResponse::explanation).containsOnlyNulls();
  }

  @Test
  void everyAnswerIsTheModelsPredictAndStatesArgmaxWithoutCostMatrix() {
    Classifier plain = Classifier.fit(train, TrainingOptions.defaults(3).withTrees(30));
    PredictionService service = service(plain);

    for (int row = 0; row < 40; row++) {
      PredictionResponse r = service.predict(Slot.PRODUCTION, request(test, row), "client", row % 2 == 0);
      assertThat(r.predictedClass()).isEqualTo(plain.classes().get(plain.predict(test.x()[row])));
      assertThat(r.decisionRule()).isEqualTo(DecisionRule.ARGMAX);
      assertThat(r.decisionThreshold()).isEqualTo(0.5);
    }
  }

  /** An MLP (never picked by the pipeline, but deployable by hand) has no exact explanation: it answers without one. */
  @Test
  void aModelWithoutExactExplanationAnswersWithoutOne() {
    Classifier mlp = Classifier.fit(train,
        TrainingOptions.mlp(io.medpipe.training.model.MlpOptions.defaults(), 3).withCosts(MISS_COSTS_5));
    assertThat(mlp.explainable()).isFalse();
    PredictionService service = service(mlp);

    PredictionResponse r = service.predict(Slot.PRODUCTION, request(test, 0), "client", true);

    assertThat(r.explanation()).isNull();
    assertThat(r.predictedClass()).isEqualTo(mlp.classes().get(mlp.decide(mlp.predictProba(test.x()[0]))));
    assertThat(recorded).hasSize(1);
  }

  @Test
  void theStatedThresholdIsExactlyTheCostMatrixDecision() {
    for (CostMatrix costs : List.of(MISS_COSTS_5, CostMatrix.rareMiss(2, 1, 1), CostMatrix.rareMiss(2, 1, 19),
        new CostMatrix(new double[][] {{0, 3}, {2, 0}}), new CostMatrix(new double[][] {{0, 0}, {4, 0}}))) {
      DecisionRule rule = DecisionRule.of(costs, List.of("common", "rare"));
      for (int i = 0; i <= 10_000; i++) {
        double p = i / 10_000.0;
        if (Math.abs(p - rule.threshold()) < 1e-12) {
          continue; // at the threshold itself both expected costs are equal up to rounding
        }
        int expected = p > rule.threshold() ? 1 : 0;
        assertThat(costs.decide(new double[] {1 - p, p})).as("%s at p=%s", costs, p).isEqualTo(expected);
      }
    }
    DecisionRule three = DecisionRule.of(CostMatrix.rareMiss(3, 2, 5), List.of("a", "b", "c"));
    assertThat(three.threshold()).isNull();
    assertThat(three.description()).isEqualTo("c if P(c) > P(most probable other class) / 5, else the most probable "
        + "class");
  }

  @Test
  void theDescriptionOfTheUsualMatrixIsItsDecisionForFourClasses() {
    CostMatrix costs = CostMatrix.rareMiss(4, 0, 5);
    Random r = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      double[] p = new double[4];
      double sum = 0;
      for (int c = 0; c < 4; c++) {
        p[c] = r.nextDouble() * (c == 0 ? 0.4 : 1);
        sum += p[c];
      }
      double maxOther = 0;
      for (int c = 0; c < 4; c++) {
        p[c] /= sum;
        maxOther = c == 0 ? 0 : Math.max(maxOther, p[c]);
      }
      if (Math.abs(p[0] - maxOther / 5) < 1e-12) {
        continue;
      }
      int described = p[0] > maxOther / 5 ? 0 : Classifier.argMax(new double[] {0, p[1], p[2], p[3]});
      assertThat(costs.decide(p)).isEqualTo(described);
    }
  }

  @Test
  void otherMatricesAreDescribedGenerically() {
    DecisionRule rule = DecisionRule.of(new CostMatrix(new double[][] {{0, 2, 1}, {3, 0, 1}, {1, 1, 0}}),
        List.of("a", "b", "c"));
    assertThat(rule.description()).startsWith("the class of least expected cost");
    assertThat(rule.costMatrix()).hasSize(3);
  }
}
