package io.medpipe.serving;

import io.medpipe.system.Json;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The record of every prediction (staging and production): inputs as accepted, output, explanation, latency
 * and model version. It holds no identifiers: inputs are only the model's clinical features, and the patient
 * reference is the client's pseudonym.
 */
@Repository
public class PredictionLog {

  private final JdbcTemplate jdbc;
  private final Json json;

  public PredictionLog(JdbcTemplate jdbc, Json json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  public void record(PredictionApi.PredictionResponse response, Map<String, Object> inputs, String patientRef,
                     String clientId) {
    jdbc.update("""
          INSERT INTO medpipe.prediction_log (id, slot, model_version_id, patient_ref, features, predicted_class,
            probabilities, explanation, latency_ms, client_id)
          VALUES (?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?, ?)""",
          response.predictionId(), response.slot(), response.model().id(), patientRef, json.write(inputs),
          response.predictedClass(), json.write(response.probabilities()), json.write(response.explanation()),
          response.latencyMs(), clientId);
  }

  public long count(UUID modelVersionId) {
    Long n = jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log WHERE model_version_id = ?", Long.class,
        modelVersionId);
    return n == null ? 0 : n;
  }
}
