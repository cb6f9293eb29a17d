package io.medpipe.training;

import com.fasterxml.jackson.core.type.TypeReference;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.registry.ArtifactStore;
import io.medpipe.system.Json;
import io.medpipe.system.MedpipeProperties;
import java.sql.Array;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Trains a model on a snapshot's training split and evaluates it on the held-out split. The split is stratified
 * and seeded, the held-out rows are recorded with the run, and the serialized model is stored with its SHA-256,
 * so a run can be re-checked later.
 */
@Service
public class TrainingService {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final SnapshotStore snapshots;
  private final JdbcTemplate jdbc;
  private final Json json;
  private final MedpipeProperties.Training settings;

  public TrainingService(SnapshotStore snapshots, JdbcTemplate jdbc, Json json, MedpipeProperties properties) {
    this.snapshots = snapshots;
    this.jdbc = jdbc;
    this.json = json;
    this.settings = properties.training();
  }

  /** Trains with the configured defaults; returns the new run. */
  public TrainingRun train(UUID snapshotId, String targetClass, String processInstanceId) {
    FeatureTable table = snapshots.table(snapshotId);
    if (!table.classes().contains(targetClass)) {
      throw new IllegalArgumentException("the snapshot has no rows of the target class '" + targetClass
          + "' (classes: " + table.classes() + ")");
    }
    long start = System.nanoTime();
    Developed developed = develop(table, table.classIndex(targetClass), settings.seed(), settings.trees(),
        settings.testFraction(), settings.rareMissCost(), ProbabilityCalibration.Method.parse(settings.calibration()));
    double seconds = (System.nanoTime() - start) / 1e9;
    TrainingOptions options = developed.model().options();
    Map<String, Object> params = new LinkedHashMap<>(options.asMap());
    params.put("selection", developed.selection().asMap());
    params.put("provenance", developed.model().provenance());
    byte[] bytes = developed.model().toBytes();
    UUID id = UUID.randomUUID();
    jdbc.update("""
        INSERT INTO medpipe.training_run (id, snapshot_id, algorithm, params, seed, target_class, test_rows, model,
                                          model_sha256, train_seconds, process_instance_id)
        VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""",
        id, snapshotId, options.algorithm().name(), json.write(params), options.seed(), targetClass,
        developed.split().test(), bytes, ArtifactStore.sha256(bytes), seconds, processInstanceId);
    return find(id);
  }

  /** Trees per candidate during the search; the chosen configuration is then refitted with the configured count. */
  static final int SEARCH_TREES = 50;
  /** Folds of the candidate search's cross-validation. */
  static final int SEARCH_FOLDS = CrossValidation.DEFAULT_FOLDS;
  /** The selection policy's floor on rare-class specificity (pooled out-of-fold). */
  static final double REQUIRED_SPECIFICITY = 0.90;
  /**
   * The default cost of missing the rare disease relative to any other error (a false alarm costs 1), configured as
   * {@code medpipe.training.rare-miss-cost}. The decision is taken on calibrated probabilities, so the model flags a
   * patient when P(rare) &gt; 1 / (1 + 49) = 2% (two classes; the search may lower the cost to keep the specificity
   * floor): the clinic accepts up to 50 confirmatory tests to find one case (see docs/training.md for why not 19). The
   * earlier default of 5 (flag from 17%) was set for resampled probabilities, which overstate a 2% prevalence ~20-fold
   * in odds; on calibrated probabilities it misses most cases.
   */
  static final double RARE_MISS_COST = 49;

  /** The default calibration of the chosen model ({@code medpipe.training.calibration}). */
  static final ProbabilityCalibration.Method CALIBRATION = ProbabilityCalibration.Method.PLATT;

  /** The outcome of Develop's training step: the stratified split, the candidate search and the refitted model. */
  public record Developed(StratifiedSplit.Split split, ModelSelection.Selection selection, ClassifierModel model) {
  }

  /** {@link #develop(FeatureTable, int, long, int, double, double, ProbabilityCalibration.Method)} with the defaults. */
  public static Developed develop(FeatureTable table, int target, long seed, int trees, double testFraction) {
    return develop(table, target, seed, trees, testFraction, RARE_MISS_COST, CALIBRATION);
  }

  /**
   * Develop's training without the database: hold out a stratified test share, then {@link #searchAndFit} on the
   * rest. Deterministic for a given table and seed.
   */
  public static Developed develop(FeatureTable table, int target, long seed, int trees, double testFraction,
                                  double rareMissCost, ProbabilityCalibration.Method calibration) {
    StratifiedSplit.Split split = StratifiedSplit.holdOut(table.y(), testFraction, seed);
    Fitted fitted = searchAndFit(table.subset(split.train()), target, seed, trees, rareMissCost, calibration);
    return new Developed(split, fitted.selection(), fitted.model());
  }

  /** A candidate search and the model it chose, refitted and calibrated. */
  public record Fitted(ModelSelection.Selection selection, ClassifierModel model) {
  }

  /**
   * Cross-validates the default candidates on {@code train} (decisions on cross-fitted calibrated out-of-fold
   * probabilities), picks by {@link ModelSelection#POLICY}, refits the chosen configuration on all of {@code train}
   * with {@code trees} trees, and calibrates it on the chosen candidate's pooled out-of-fold predictions: rows no fold
   * model trained on, at the natural prevalence (the resampling happens inside each fold's fit). The search's fold
   * models have {@link #SEARCH_TREES} trees; a larger refitted forest averages the same trees' probabilities with less
   * noise, so its calibration is checked again on the held-out rows ({@link #evaluate}).
   */
  public static Fitted searchAndFit(FeatureTable train, int target, long seed, int trees, double rareMissCost,
                                    ProbabilityCalibration.Method calibration) {
    CostMatrix costs = CostMatrix.rareMiss(train.classes().size(), target, rareMissCost);
    ModelSelection.Selection selection = ModelSelection.select(train, target,
        ModelSelection.defaultCandidates(Math.min(trees, SEARCH_TREES), seed, costs), SEARCH_FOLDS, seed,
        REQUIRED_SPECIFICITY, calibration);
    ClassifierModel model = ClassifierModel.fit(train, selection.chosen().withTrees(trees));
    return new Fitted(selection, calibrate(model, train, selection, target));
  }

  /** The refitted model with a calibration fitted on the selection's out-of-fold predictions of the chosen candidate. */
  public static ClassifierModel calibrate(ClassifierModel model, FeatureTable train,
                                         ModelSelection.Selection selection, int target) {
    Map<String, Object> fittedOn = new LinkedHashMap<>();
    fittedOn.put("fittedOn", "pooled out-of-fold predictions of the chosen configuration in the candidate search ("
        + selection.folds() + " folds, " + selection.chosen().trees() + " trees per fold model): rows no fold model "
        + "trained on, at the natural prevalence");
    fittedOn.put("rows", train.rows());
    fittedOn.put("cases", train.classCounts()[target]);
    if (selection.calibration() == ProbabilityCalibration.Method.NONE) {
      return model;
    }
    try {
      return model.withCalibration(ProbabilityCalibration.fit(selection.calibration(), train.y(),
          selection.outOfFold(), target), fittedOn);
    } catch (IllegalArgumentException e) {
      fittedOn.put("notCalibrated", e.getMessage());
      return model.withCalibration(null, fittedOn);
    }
  }

  /**
   * The held-out evaluation of a run: metrics with the model's own decisions (cost matrix applied) and 95% bootstrap
   * intervals for the target class.
   */
  public record Evaluation(ClassificationMetrics metrics, BootstrapCi.ClassIntervals target, int testRows,
                           CalibrationCheck calibration) {

    /** An evaluation without a calibration check (an uncalibrated model). */
    public Evaluation(ClassificationMetrics metrics, BootstrapCi.ClassIntervals target, int testRows) {
      this(metrics, target, testRows, null);
    }
  }

  /**
   * The target class's calibration on the held-out rows before (the trees' own probabilities) and after the model's
   * calibration, which is what the model serves.
   *
   * @param calibration the calibration's method and parameters, as in provenance
   */
  public record CalibrationCheck(Map<String, Object> calibration, Figures before, Figures after) {

    /**
     * @param reliability the reliability diagram: per decile of predicted probability (ascending), {mean predicted,
     *                    observed share}
     */
    public record Figures(double brier, double slope, double intercept, double meanPredicted, double observed,
                          List<double[]> reliability) {

      static Figures of(double[] score, boolean[] positive) {
        double[] calibration = ClassificationMetrics.calibration(score, positive);
        double mean = 0;
        double observed = 0;
        for (int i = 0; i < score.length; i++) {
          mean += score[i] / score.length;
          observed += positive[i] ? 1.0 / score.length : 0;
        }
        return new Figures(ClassificationMetrics.brier(score, positive), calibration[1], calibration[0], mean,
            observed, ModelCard.calibration(score, positive));
      }
    }

    /** The figures as plain names and values, for the stored metrics. */
    public Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("calibration", calibration);
      map.put("before", figures(before));
      map.put("after", figures(after));
      return map;
    }

    private static Map<String, Object> figures(Figures f) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("brier", f.brier());
      map.put("calibrationSlope", f.slope());
      map.put("calibrationIntercept", f.intercept());
      map.put("meanPredicted", f.meanPredicted());
      map.put("observedShare", f.observed());
      map.put("reliability", f.reliability());
      return map;
    }
  }

  /** Evaluates a model on held-out rows; pure, see {@link #evaluate(UUID)}. */
  public static Evaluation evaluate(ClassifierModel model, FeatureTable test, int target, long seed) {
    return evaluate(model, test, probabilities(model, test), target, seed);
  }

  private static double[][] probabilities(ClassifierModel model, FeatureTable test) {
    double[][] proba = new double[test.rows()][];
    for (int i = 0; i < test.rows(); i++) {
      proba[i] = model.predictProba(test.x()[i]);
    }
    return proba;
  }

  private static Evaluation evaluate(ClassifierModel model, FeatureTable test, double[][] proba, int target,
                                     long seed) {
    int[] predicted = new int[test.rows()];
    for (int i = 0; i < test.rows(); i++) {
      predicted[i] = model.decide(proba[i]);
    }
    ClassificationMetrics metrics = ClassificationMetrics.of(test.y(), proba, predicted, test.classes());
    BootstrapCi.ClassIntervals ci = BootstrapCi.of(test.y(), proba, predicted, target, test.classes().get(target),
        BootstrapCi.DEFAULT_REPLICATES, seed);
    return new Evaluation(metrics, ci, test.rows(), calibrationCheck(model, test, target, proba));
  }

  /** Before/after figures of the model's calibration on the held-out rows; null for an uncalibrated model. */
  private static CalibrationCheck calibrationCheck(ClassifierModel model, FeatureTable test, int target,
                                                   double[][] calibrated) {
    if (model.calibration().isEmpty()) {
      return null;
    }
    ClassifierModel raw = model.uncalibrated();
    double[] before = new double[test.rows()];
    double[] after = new double[test.rows()];
    boolean[] positive = new boolean[test.rows()];
    for (int i = 0; i < test.rows(); i++) {
      before[i] = raw.predictProba(test.x()[i])[target];
      after[i] = calibrated[i][target];
      positive[i] = test.y()[i] == target;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> how = (Map<String, Object>) model.provenance().get("calibration");
    return new CalibrationCheck(how, CalibrationCheck.Figures.of(before, positive),
        CalibrationCheck.Figures.of(after, positive));
  }

  /** Evaluates the run's model on its held-out rows and stores the metrics and the model card with the run. */
  @SuppressWarnings("unchecked")
  public Evaluation evaluate(UUID runId) {
    TrainingRun run = find(runId);
    FeatureTable test = snapshots.table(run.snapshotId()).subset(run.testRows());
    ClassifierModel model = model(runId);
    int target = test.classIndex(run.targetClass());
    double[][] proba = probabilities(model, test); // for the metrics and the card's curves
    Evaluation evaluation = evaluate(model, test, proba, target, run.seed());
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("testRows", test.rows());
    stored.put("targetClass", run.targetClass());
    String on = model.calibration().isPresent() ? " on calibrated probabilities" : "";
    stored.put("decision", (model.options().costs() == null ? "most probable class" : "least expected cost") + on);
    if (model.options().costs() != null) {
      stored.put("costMatrix", model.options().costs().asList());
    }
    stored.put("metrics", evaluation.metrics());
    stored.put("targetIntervals", evaluation.target());
    if (evaluation.calibration() != null) {
      stored.put("calibration", evaluation.calibration().asMap());
    }
    stored.put("intervalMethod", "percentile bootstrap, " + BootstrapCi.DEFAULT_REPLICATES
        + " replicates of the held-out rows, seed " + run.seed());
    jdbc.update("UPDATE medpipe.training_run SET metrics = ?::jsonb WHERE id = ?", json.write(stored), runId);

    Object selection = run.params().get("selection");
    Map<String, Object> card = ModelCard.json(runId.toString(), run.snapshotId().toString(), run.targetClass(), model,
        selection instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : null, evaluation, test);
    String html = ModelCard.html(card, run.targetClass(), test.y(), proba, target);
    jdbc.update("UPDATE medpipe.training_run SET model_card_html = ?, model_card_json = ?::jsonb WHERE id = ?", html,
        json.write(card), runId);
    return evaluation;
  }

  /**
   * Adds the clinical validation's rules, verdict and reasons to the run's stored model card (HTML and JSON) and
   * metrics; the card is rendered at evaluation, before the decision runs.
   *
   * @throws IllegalStateException if the run has not been evaluated (it has no card yet)
   */
  public void recordValidation(UUID runId, ClinicalValidation validation) {
    List<Map<String, Object>> rows = jdbc.queryForList(
        "SELECT model_card_html, model_card_json::text AS model_card_json FROM medpipe.training_run WHERE id = ?",
        runId);
    if (rows.isEmpty()) {
      throw new IllegalStateException("training run " + runId + " not found");
    }
    Map<String, Object> row = rows.get(0);
    if (row.get("model_card_html") == null || row.get("model_card_json") == null) {
      throw new IllegalStateException("training run " + runId + " has no model card: it was not evaluated");
    }
    Map<String, Object> card = json.read(String.valueOf(row.get("model_card_json")), MAP);
    String html = ModelCard.withValidation((String) row.get("model_card_html"), validation);
    jdbc.update("""
        UPDATE medpipe.training_run SET model_card_html = ?, model_card_json = ?::jsonb,
               metrics = COALESCE(metrics, '{}'::jsonb) || jsonb_build_object('clinicalValidation', ?::jsonb)
        WHERE id = ?""", html, json.write(ModelCard.withValidation(card, validation)),
        json.write(validation.asMap()), runId);
  }

  /** The stored HTML model card of a run, written by {@link #evaluate(UUID)}; empty before evaluation. */
  public java.util.Optional<String> modelCardHtml(UUID runId) {
    return jdbc.query("SELECT model_card_html FROM medpipe.training_run WHERE id = ?",
        (rs, i) -> rs.getString(1), runId).stream().filter(java.util.Objects::nonNull).findFirst();
  }

  /** The stored JSON model card of a run; empty before evaluation. */
  public java.util.Optional<String> modelCardJson(UUID runId) {
    return jdbc.query("SELECT model_card_json FROM medpipe.training_run WHERE id = ?",
        (rs, i) -> rs.getString(1), runId).stream().filter(java.util.Objects::nonNull).findFirst();
  }

  public TrainingRun find(UUID id) {
    List<TrainingRun> runs = jdbc.query("""
        SELECT id, snapshot_id, created_at, algorithm, params, seed, target_class, test_rows, model_sha256,
               train_seconds, metrics, process_instance_id FROM medpipe.training_run WHERE id = ?""",
        (rs, i) -> new TrainingRun(rs.getObject("id", UUID.class), rs.getObject("snapshot_id", UUID.class),
            rs.getObject("created_at", OffsetDateTime.class), rs.getString("algorithm"), json.read(rs.getString("params"), MAP),
            rs.getLong("seed"), rs.getString("target_class"), ints(rs.getArray("test_rows")),
            rs.getString("model_sha256"), rs.getDouble("train_seconds"), json.read(rs.getString("metrics"), MAP),
            rs.getString("process_instance_id")), id);
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no training run " + id);
    }
    return runs.get(0);
  }

  /** The run's serialized model, checked against its recorded SHA-256. */
  public byte[] modelBytes(UUID runId) {
    Map<String, Object> row = jdbc.queryForMap("SELECT model, model_sha256 FROM medpipe.training_run WHERE id = ?", runId);
    byte[] bytes = (byte[]) row.get("model");
    if (!ArtifactStore.sha256(bytes).equals(row.get("model_sha256"))) {
      throw new ArtifactStore.IntegrityException("the model of training run " + runId + " does not match its checksum");
    }
    return bytes;
  }

  public ClassifierModel model(UUID runId) {
    return ClassifierModel.fromBytes(modelBytes(runId));
  }

  private static int[] ints(Array array) throws SQLException {
    Object[] values = (Object[]) array.getArray();
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = ((Number) values[i]).intValue();
    }
    return out;
  }


}
