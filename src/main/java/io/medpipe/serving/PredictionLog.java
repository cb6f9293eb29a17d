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

  /**
   * One prediction as recorded.
   *
   * @param inputs  the features as sent (accepted)
   * @param encoded the same inputs as the model read them, in its feature order (NaN = missing)
   * @param shap    the explanation's contributions in the model's feature order (0 where not listed), null if the
   *                answer was not explained
   */
  record Entry(PredictionApi.PredictionResponse response, Map<String, Object> inputs, double[] encoded,
               double[] shap, String patientRef, String clientId, Instant at) {}

  private final JdbcTemplate jdbc;
  private final Json json;

  public PredictionLog(JdbcTemplate jdbc, Json json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** Inserts the entries in one statement batch; the caller decides the transaction (auto-commit: one per batch). */
  void write(List<Entry> entries) {
    jdbc.batchUpdate("""
        INSERT INTO medpipe.prediction_log (id, created_at, slot, model_version_id, patient_ref, features,
          predicted_class, probabilities, explanation, latency_ms, client_id, request_id, decision,
          input_completeness, encoded, shap)
        VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""", entries, entries.size(),
        (ps, e) -> {
          var r = e.response();
          Object[] values = {r.predictionId(), Timestamp.from(e.at()), r.slot(), r.model().id(), e.patientRef(),
              json.write(e.inputs()), r.predictedClass(), json.write(r.probabilities()), json.write(r.explanation()),
              r.latencyMs(), e.clientId(), r.requestId(), r.decision(), r.inputCompleteness()};
          for (int i = 0; i < values.length; i++) {
            ps.setObject(i + 1, values[i]);
          }
          setFloat8Array(ps, values.length + 1, e.encoded());
          setFloat8Array(ps, values.length + 2, e.shap());
        });
  }

  private static void setFloat8Array(java.sql.PreparedStatement ps, int index, double[] values)
      throws java.sql.SQLException {
    if (values == null) {
      ps.setNull(index, java.sql.Types.ARRAY);
      return;
    }
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    ps.setArray(index, ps.getConnection().createArrayOf("float8", boxed));
  }

  public long count(UUID modelVersionId) {
    Long n = jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log WHERE model_version_id = ?", Long.class,
        modelVersionId);
    return n == null ? 0 : n;
  }
}
