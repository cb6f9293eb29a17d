package io.medpipe.training;

import com.fasterxml.jackson.core.type.TypeReference;
import io.medpipe.artifact.ArtifactStore;
import io.medpipe.system.Json;
import io.medpipe.training.model.Classifier;
import java.sql.Array;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The training runs in PostgreSQL ({@code medpipe.training_run}): what was trained on which rows, the stored metrics
 * and model card. A run's model lives once, in the {@link ArtifactStore} under its SHA-256; the row keeps its URI and
 * checksum, and the registry's version of the run points at the same artifact.
 */
@Repository
public class TrainingRuns {

  /** Key prefix of model artifacts; the key ends in the artifact's SHA-256. */
  static final String MODEL_PREFIX = "models/sha256/";

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final JdbcTemplate jdbc;
  private final Json json;
  private final ArtifactStore artifacts;

  public TrainingRuns(JdbcTemplate jdbc, Json json, ArtifactStore artifacts) {
    this.jdbc = jdbc;
    this.json = json;
    this.artifacts = artifacts;
  }

  /** What a run stores when it is made; the model is given as its artifact bytes. */
  record NewRun(UUID id, UUID snapshotId, String algorithm, Map<String, Object> params, long seed,
                String targetClass, int[] testRows, byte[] model, double trainSeconds, String processInstanceId) {
  }

  /** Stores the model in the artifact store, then the run with the model's URI and checksum; returns the run. */
  TrainingRun insert(NewRun run) {
    ArtifactStore.Artifact model = artifacts.putContent(MODEL_PREFIX, run.model());
    jdbc.update("""
        INSERT INTO medpipe.training_run (id, snapshot_id, algorithm, params, seed, target_class, test_rows, model_uri,
                                          model_sha256, train_seconds, process_instance_id)
        VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""",
        run.id(), run.snapshotId(), run.algorithm(), json.write(run.params()), run.seed(), run.targetClass(),
        run.testRows(), model.uri(), model.sha256(), run.trainSeconds(), run.processInstanceId());
    return find(run.id());
  }

  /** Stores the held-out metrics. */
  void storeMetrics(UUID runId, Map<String, Object> metrics) {
    jdbc.update("UPDATE medpipe.training_run SET metrics = ?::jsonb WHERE id = ?", json.write(metrics), runId);
  }

  /** Stores the model card rendered at evaluation. */
  void storeCard(UUID runId, String cardHtml, Map<String, Object> cardJson) {
    jdbc.update("UPDATE medpipe.training_run SET model_card_html = ?, model_card_json = ?::jsonb WHERE id = ?",
        cardHtml, json.write(cardJson), runId);
  }

  /**
   * The stored model card of an evaluated run.
   *
   * @throws IllegalStateException if there is no such run, or it has no card (it was not evaluated)
   */
  StoredCard card(UUID runId) {
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
    return new StoredCard((String) row.get("model_card_html"),
        json.read(String.valueOf(row.get("model_card_json")), MAP));
  }

  /** A run's model card as stored: HTML for the reviewer, JSON for machines. */
  record StoredCard(String html, Map<String, Object> json) {
  }

  /** Replaces the card and adds the clinical validation to the stored metrics, keeping the rest of them. */
  void storeValidation(UUID runId, String cardHtml, Map<String, Object> cardJson, Map<String, Object> validation) {
    jdbc.update("""
        UPDATE medpipe.training_run SET model_card_html = ?, model_card_json = ?::jsonb,
               metrics = COALESCE(metrics, '{}'::jsonb) || jsonb_build_object('clinicalValidation', ?::jsonb)
        WHERE id = ?""", cardHtml, json.write(cardJson), json.write(validation), runId);
  }

  /** The stored HTML model card of a run; empty before evaluation. */
  public Optional<String> modelCardHtml(UUID runId) {
    return jdbc.query("SELECT model_card_html FROM medpipe.training_run WHERE id = ?",
        (rs, i) -> rs.getString(1), runId).stream().filter(Objects::nonNull).findFirst();
  }

  /** The stored JSON model card of a run; empty before evaluation. */
  public Optional<String> modelCardJson(UUID runId) {
    return jdbc.query("SELECT model_card_json FROM medpipe.training_run WHERE id = ?",
        (rs, i) -> rs.getString(1), runId).stream().filter(Objects::nonNull).findFirst();
  }

  /**
   * The run with this id.
   *
   * @throws IllegalArgumentException if there is none
   */
  public TrainingRun find(UUID id) {
    List<TrainingRun> runs = jdbc.query("""
        SELECT id, snapshot_id, created_at, algorithm, params, seed, target_class, test_rows, model_uri, model_sha256,
               train_seconds, metrics, process_instance_id FROM medpipe.training_run WHERE id = ?""",
        (rs, i) -> new TrainingRun(rs.getObject("id", UUID.class), rs.getObject("snapshot_id", UUID.class),
            rs.getObject("created_at", OffsetDateTime.class), rs.getString("algorithm"),
            json.read(rs.getString("params"), MAP), rs.getLong("seed"), rs.getString("target_class"),
            ints(rs.getArray("test_rows")), rs.getString("model_uri"), rs.getString("model_sha256"),
            rs.getDouble("train_seconds"), json.read(rs.getString("metrics"), MAP),
            rs.getString("process_instance_id")),
        id);
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no training run " + id);
    }
    return runs.get(0);
  }

  /**
   * The run's model as stored, checked against its recorded SHA-256.
   *
   * @throws ArtifactStore.IntegrityException if the artifact was changed since the run stored it
   */
  public byte[] modelBytes(UUID runId) {
    TrainingRun run = find(runId);
    return artifacts.get(run.modelUri(), run.modelSha256());
  }

  /** The run's model, verified and loaded. */
  public Classifier model(UUID runId) {
    return Classifier.fromBytes(modelBytes(runId));
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
