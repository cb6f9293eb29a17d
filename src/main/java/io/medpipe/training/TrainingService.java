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
    StratifiedSplit.Split split = StratifiedSplit.holdOut(table.y(), settings.testFraction(), settings.seed());
    TrainingOptions options = TrainingOptions.defaults(settings.seed()).withTrees(settings.trees());
    long start = System.nanoTime();
    ClassifierModel model = ClassifierModel.fit(table.subset(split.train()), options);
    double seconds = (System.nanoTime() - start) / 1e9;
    byte[] bytes = model.toBytes();
    UUID id = UUID.randomUUID();
    jdbc.update("""
        INSERT INTO medpipe.training_run (id, snapshot_id, algorithm, params, seed, target_class, test_rows, model,
                                          model_sha256, train_seconds, process_instance_id)
        VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""",
        id, snapshotId, options.algorithm().name(), json.write(options.asMap()), options.seed(), targetClass,
        split.test(), bytes, ArtifactStore.sha256(bytes), seconds, processInstanceId);
    return find(id);
  }

  /** Evaluates the run's model on its held-out rows and stores the metrics with the run. */
  public ClassificationMetrics evaluate(UUID runId) {
    TrainingRun run = find(runId);
    FeatureTable test = snapshots.table(run.snapshotId()).subset(run.testRows());
    ClassifierModel model = model(runId);
    double[][] proba = new double[test.rows()][];
    for (int i = 0; i < test.rows(); i++) {
      proba[i] = model.predictProba(test.x()[i]);
    }
    ClassificationMetrics metrics = ClassificationMetrics.of(test.y(), proba, test.classes());
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("testRows", test.rows());
    stored.put("targetClass", run.targetClass());
    stored.put("metrics", metrics);
    jdbc.update("UPDATE medpipe.training_run SET metrics = ?::jsonb WHERE id = ?", json.write(stored), runId);
    return metrics;
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
