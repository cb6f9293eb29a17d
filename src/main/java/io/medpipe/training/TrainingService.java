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
        settings.testFraction());
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
  /** The cost of missing the rare disease relative to any other error (a false alarm costs 1). */
  static final double RARE_MISS_COST = 5;

  /** The outcome of Develop's training step: the stratified split, the candidate search and the refitted model. */
  public record Developed(StratifiedSplit.Split split, ModelSelection.Selection selection, ClassifierModel model) {
  }

  /**
   * Develop's training without the database: hold out a stratified test share, cross-validate the default candidates
   * on the rest, pick by {@link ModelSelection#POLICY}, refit the chosen configuration on all training rows with
   * {@code trees} trees. Deterministic for a given table and seed.
   */
  public static Developed develop(FeatureTable table, int target, long seed, int trees, double testFraction) {
    StratifiedSplit.Split split = StratifiedSplit.holdOut(table.y(), testFraction, seed);
    FeatureTable train = table.subset(split.train());
    CostMatrix costs = CostMatrix.rareMiss(table.classes().size(), target, RARE_MISS_COST);
    ModelSelection.Selection selection = ModelSelection.select(train, target,
        ModelSelection.defaultCandidates(Math.min(trees, SEARCH_TREES), seed, costs), SEARCH_FOLDS, seed,
        REQUIRED_SPECIFICITY);
    ClassifierModel model = ClassifierModel.fit(train, selection.chosen().withTrees(trees));
    return new Developed(split, selection, model);
  }

  /**
   * The held-out evaluation of a run: metrics with the model's own decisions (cost matrix applied) and 95% bootstrap
   * intervals for the target class.
   */
  public record Evaluation(ClassificationMetrics metrics, BootstrapCi.ClassIntervals target, int testRows) {
  }

  /** Evaluates a model on held-out rows; pure, see {@link #evaluate(UUID)}. */
  public static Evaluation evaluate(ClassifierModel model, FeatureTable test, int target, long seed) {
    double[][] proba = new double[test.rows()][];
    int[] predicted = new int[test.rows()];
    for (int i = 0; i < test.rows(); i++) {
      proba[i] = model.predictProba(test.x()[i]);
      predicted[i] = model.decide(proba[i]);
    }
    ClassificationMetrics metrics = ClassificationMetrics.of(test.y(), proba, predicted, test.classes());
    BootstrapCi.ClassIntervals ci = BootstrapCi.of(test.y(), proba, predicted, target, test.classes().get(target),
        BootstrapCi.DEFAULT_REPLICATES, seed);
    return new Evaluation(metrics, ci, test.rows());
  }

  /** Evaluates the run's model on its held-out rows and stores the metrics and the model card with the run. */
  @SuppressWarnings("unchecked")
  public Evaluation evaluate(UUID runId) {
    TrainingRun run = find(runId);
    FeatureTable test = snapshots.table(run.snapshotId()).subset(run.testRows());
    ClassifierModel model = model(runId);
    Evaluation evaluation = evaluate(model, test, test.classIndex(run.targetClass()), run.seed());
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("testRows", test.rows());
    stored.put("targetClass", run.targetClass());
    stored.put("decision", model.options().costs() == null ? "most probable class" : "least expected cost");
    stored.put("metrics", evaluation.metrics());
    stored.put("targetIntervals", evaluation.target());
    stored.put("intervalMethod", "percentile bootstrap, " + BootstrapCi.DEFAULT_REPLICATES
        + " replicates of the held-out rows, seed " + run.seed());
    jdbc.update("UPDATE medpipe.training_run SET metrics = ?::jsonb WHERE id = ?", json.write(stored), runId);

    int target = test.classIndex(run.targetClass());
    Object selection = run.params().get("selection");
    Map<String, Object> card = ModelCard.json(runId.toString(), run.snapshotId().toString(), run.targetClass(), model,
        selection instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : null, evaluation, test);
    double[][] proba = new double[test.rows()][];
    for (int i = 0; i < test.rows(); i++) {
      proba[i] = model.predictProba(test.x()[i]);
    }
    String html = ModelCard.html(card, run.targetClass(), test.y(), proba, target);
    jdbc.update("UPDATE medpipe.training_run SET model_card_html = ?, model_card_json = ?::jsonb WHERE id = ?", html,
        json.write(card), runId);
    return evaluation;
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
