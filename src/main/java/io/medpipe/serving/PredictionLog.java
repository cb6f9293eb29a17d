package io.medpipe.serving;

import io.medpipe.system.Json;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The record of every prediction (staging and production): inputs as accepted, output, explanation, latency
 * and model version. It holds no identifiers: inputs are only the model's clinical features, and the patient
 * reference is the client's pseudonym. Rows are written in batches by {@link PredictionRecorder}.
 */
@Repository
public class PredictionLog {

  /** One prediction as recorded. */
  record Entry(PredictionApi.PredictionResponse response, Map<String, Object> inputs, String patientRef,
               String clientId, Instant at) {}

  private final JdbcTemplate jdbc;
  private final Json json;

  public PredictionLog(JdbcTemplate jdbc, Json json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** Inserts the entries in one statement batch; the caller decides the transaction (auto-commit: one per batch). */
  void write(List<Entry> entries) {
    List<Object[]> args = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      var r = e.response();
      args.add(new Object[] {r.predictionId(), Timestamp.from(e.at()), r.slot(), r.model().id(), e.patientRef(),
          json.write(e.inputs()), r.predictedClass(), json.write(r.probabilities()), json.write(r.explanation()),
          r.latencyMs(), e.clientId(), r.requestId(), r.decision(), r.inputCompleteness()});
    }
    jdbc.batchUpdate("""
        INSERT INTO medpipe.prediction_log (id, created_at, slot, model_version_id, patient_ref, features,
          predicted_class, probabilities, explanation, latency_ms, client_id, request_id, decision,
          input_completeness)
        VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?)""", args);
  }

  public long count(UUID modelVersionId) {
    Long n = jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log WHERE model_version_id = ?", Long.class,
        modelVersionId);
    return n == null ? 0 : n;
  }
}
