package io.medpipe.serving;

import io.medpipe.privacy.PrivacyProperties;
import io.medpipe.privacy.Pseudonymizer;
import io.medpipe.privacy.IdentifierShapes;
import io.medpipe.system.InvalidRequestException;
import io.medpipe.system.InvalidRequestException.FieldProblem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Redaction of the prediction record, an audited admin action: the patient reference and request id of the selected
 * predictions are removed (the predictions themselves stay, as the record must be kept for its retention period),
 * and who asked, when, why and how many rows changed is written to {@code medpipe.prediction_redaction}. Selected by
 * prediction ids, or by a patient reference as the client sent it (matched through its keyed HMAC, and as sent for
 * records written before references were stored as HMACs). The reference itself is neither stored nor logged.
 */
@Service
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
public class PredictionRedactions {

  private static final Logger log = LoggerFactory.getLogger(PredictionRedactions.class);
  static final int MAX_IDS = 1000;

  /** What to redact and why: exactly one of {@code predictionIds} or {@code patientRef}. */
  public record Request(List<UUID> predictionIds, String patientRef, String reason) {}

  /** A redaction as recorded. */
  public record Redaction(UUID id, Instant at, String requestedBy, String reason, String selector,
                          Integer requestedIds, int redacted) {}

  private final JdbcTemplate jdbc;
  private final Pseudonymizer references;

  PredictionRedactions(JdbcTemplate jdbc, PrivacyProperties privacy) {
    this.jdbc = jdbc;
    this.references = new Pseudonymizer(privacy.referenceKey());
  }

  @Transactional
  public Redaction redact(Request request, String requestedBy) {
    validate(request);
    UUID id = UUID.randomUUID();
    boolean byIds = request.predictionIds() != null;
    String selector = byIds ? "prediction-ids" : "patient-ref";
    String reason = request.reason().strip();
    jdbc.update("INSERT INTO medpipe.prediction_redaction (id, requested_by, reason, selector, requested_ids, redacted)"
        + " VALUES (?, ?, ?, ?, ?, 0)", id, requestedBy, reason, selector,
        byIds ? request.predictionIds().size() : null);
    int redacted;
    if (byIds) {
      Object[] named = request.predictionIds().toArray();
      redacted = jdbc.update(con -> {
        var statement = con.prepareStatement("UPDATE medpipe.prediction_log SET patient_ref = NULL,"
            + " request_id = NULL, redaction_id = ? WHERE id = ANY (?) AND redaction_id IS NULL");
        statement.setObject(1, id);
        statement.setArray(2, con.createArrayOf("uuid", named));
        return statement;
      });
    } else {
      String ref = request.patientRef();
      redacted = jdbc.update("UPDATE medpipe.prediction_log SET patient_ref = NULL, request_id = NULL, redaction_id = ?"
          + " WHERE patient_ref IN (?, ?) AND redaction_id IS NULL", id, references.apiReference(ref), ref);
    }
    jdbc.update("UPDATE medpipe.prediction_redaction SET redacted = ? WHERE id = ?", redacted, id);
    log.info("Prediction record redaction {} by client {}: {} record(s) redacted, selected by {}", id, requestedBy,
        redacted, selector);
    return find(id);
  }

  /** Every redaction, newest first. */
  public List<Redaction> list() {
    return jdbc.query("SELECT id, created_at, requested_by, reason, selector, requested_ids, redacted"
        + " FROM medpipe.prediction_redaction ORDER BY created_at DESC, id",
        (rs, i) -> new Redaction(
            rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
            rs.getString(5), (Integer) rs.getObject(6), rs.getInt(7)));
  }

  private Redaction find(UUID id) {
    return list().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  private static void validate(Request request) {
    List<FieldProblem> problems = new ArrayList<>();
    boolean ids = request.predictionIds() != null;
    boolean ref = request.patientRef() != null;
    if (ids == ref) {
      problems.add(new FieldProblem("predictionIds", "name either predictionIds or patientRef (exactly one)"));
    } else if (ids && (request.predictionIds().isEmpty() || request.predictionIds().size() > MAX_IDS
        || request.predictionIds().contains(null))) {
      problems.add(new FieldProblem("predictionIds", "must list 1 to " + MAX_IDS + " prediction ids"));
    } else if (ref && (request.patientRef().isBlank() || request.patientRef().length() > 200)) {
      problems.add(new FieldProblem("patientRef", "must be the reference as the client sent it (1-200 characters)"));
    }
    String reason = request.reason();
    if (reason == null || reason.strip().length() < 5 || reason.length() > 500) {
      problems.add(new FieldProblem("reason", "is required: why the records are redacted (5-500 characters)"));
    } else {
      // the audit table is read by many: the reason must say why, not repeat the identifier it is about; the token
      // shapes too (a name with a birth date, "Novak:Olivia:30-Sep-58"), which the free-text patterns leave to context
      IdentifierShapes.kind(reason).ifPresent(kind -> problems.add(new FieldProblem("reason",
          "holds what looks like " + kind + "; say why without quoting it")));
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
  }
}
