package io.medpipe.serving;

import com.fasterxml.jackson.core.type.TypeReference;
import io.medpipe.serving.PredictionApi.FeedbackRequest;
import io.medpipe.serving.PredictionApi.FeedbackResponse;
import io.medpipe.system.ApiProblems.NotFoundException;
import io.medpipe.system.InvalidRequestException;
import io.medpipe.system.InvalidRequestException.FieldProblem;
import io.medpipe.system.Json;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * The prediction record after the fact: clinicians' feedback joined to predictions, the paged audit query, and the
 * retention purge (EU AI Act Art. 19: at least six months; {@code medpipe.serving.record.retention}).
 */
@Service
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
public class PredictionAudit {

  private static final Logger log = LoggerFactory.getLogger(PredictionAudit.class);
  static final int MAX_PAGE_SIZE = 500;

  /** One recorded prediction with its latest feedback, if any. */
  public record RecordedPrediction(UUID id, Instant createdAt, String slot, UUID modelVersionId, String requestId,
                                   String patientRef, Map<String, Object> features, String predictedClass,
                                   Map<String, Double> probabilities, Object explanation, double latencyMs,
                                   String clientId, Feedback feedback, UUID redactionId) {}

  public record Feedback(String verdict, String confirmedClass, Instant at, String clientId) {}

  public record Page(int page, int size, long total, List<RecordedPrediction> items) {}

  private final JdbcTemplate jdbc;
  private final Json json;
  private final Duration retention;

  PredictionAudit(JdbcTemplate jdbc, Json json, ServingProperties serving) {
    this.jdbc = jdbc;
    this.json = json;
    this.retention = serving.record().retention();
  }

  /** Stores a verdict for a recorded prediction; the confirmed class must be one the prediction's model knows. */
  public FeedbackResponse feedback(FeedbackRequest request, String clientId) {
    List<FieldProblem> problems = new ArrayList<>();
    if (request.predictionId() == null) {
      problems.add(new FieldProblem("predictionId", "is required"));
    }
    if (!"accept".equals(request.verdict()) && !"override".equals(request.verdict())) {
      problems.add(new FieldProblem("verdict", "must be accept or override"));
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    List<Map<String, Object>> found = jdbc.queryForList(
        "SELECT predicted_class, probabilities::text AS probabilities FROM medpipe.prediction_log WHERE id = ?",
        request.predictionId());
    if (found.isEmpty()) {
      throw new NotFoundException("no recorded prediction " + request.predictionId());
    }
    String predicted = (String) found.get(0).get("predicted_class");
    Map<String, Double> classes = json.read((String) found.get(0).get("probabilities"), new TypeReference<>() {});
    String confirmed = request.confirmedClass();
    if ("accept".equals(request.verdict()) && predicted == null) {
      throw new InvalidRequestException("verdict", "the prediction made no automated decision (insufficient data), so "
          + "there is nothing to accept; use verdict override with the confirmed class");
    }
    if ("accept".equals(request.verdict())) {
      if (confirmed != null && !confirmed.equals(predicted)) {
        throw new InvalidRequestException("confirmedClass", "an accepted prediction confirms " + predicted
            + "; use verdict override for another class");
      }
      confirmed = predicted;
    } else if (confirmed == null || !classes.containsKey(confirmed)) {
      throw new InvalidRequestException("confirmedClass", "must be one of " + classes.keySet());
    }
    UUID id = UUID.randomUUID();
    jdbc.update("INSERT INTO medpipe.prediction_feedback (id, prediction_id, verdict, confirmed_class, client_id) "
        + "VALUES (?, ?, ?, ?, ?)", id, request.predictionId(), request.verdict(), confirmed, clientId);
    return new FeedbackResponse(id, request.predictionId(), request.verdict(), confirmed);
  }

  /** Recorded predictions in [from, to), newest first, optionally of one model version, with their feedback. */
  public Page query(Instant from, Instant to, UUID modelVersion, int page, int size) {
    if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
      throw new InvalidRequestException("size", "page must be >= 0 and size in 1.." + MAX_PAGE_SIZE);
    }
    Timestamp f = Timestamp.from(from == null ? Instant.EPOCH : from);
    Timestamp t = Timestamp.from(to == null ? Instant.now().plusSeconds(86_400) : to);
    String where = " WHERE p.created_at >= ? AND p.created_at < ?"
        + (modelVersion == null ? "" : " AND p.model_version_id = ?");
    Object[] args = modelVersion == null ? new Object[] {f, t} : new Object[] {f, t, modelVersion};
    Long total = jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log p" + where, Long.class, args);
    List<Object> pageArgs = new ArrayList<>(List.of(args));
    pageArgs.add(size);
    pageArgs.add((long) page * size);
    List<RecordedPrediction> items = jdbc.query("""
        SELECT p.id, p.created_at, p.slot, p.model_version_id, p.request_id, p.patient_ref, p.features::text,
               p.predicted_class, p.probabilities::text, p.explanation::text, p.latency_ms, p.client_id,
               fb.verdict, fb.confirmed_class, fb.created_at AS fb_at, fb.client_id AS fb_client, p.redaction_id
        FROM medpipe.prediction_log p
        LEFT JOIN LATERAL (SELECT * FROM medpipe.prediction_feedback x WHERE x.prediction_id = p.id
                           ORDER BY x.created_at DESC LIMIT 1) fb ON true""" + where
        + " ORDER BY p.created_at DESC, p.id LIMIT ? OFFSET ?",
        (rs, i) -> new RecordedPrediction(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant(), rs.getString(3),
            rs.getObject(4, UUID.class), rs.getString(5), rs.getString(6),
            json.read(rs.getString(7), new TypeReference<Map<String, Object>>() {}), rs.getString(8),
            json.read(rs.getString(9), new TypeReference<Map<String, Double>>() {}),
            json.read(rs.getString(10), new TypeReference<Object>() {}), rs.getDouble(11), rs.getString(12),
            rs.getString(13) == null ? null : new Feedback(rs.getString(13), rs.getString(14),
                rs.getTimestamp(15).toInstant(), rs.getString(16)),
            rs.getObject(17, UUID.class)),
        pageArgs.toArray());
    return new Page(page, size, total == null ? 0 : total, items);
  }

  /** Deletes predictions (and their feedback) older than the retention period; returns how many. */
  public int purge(Instant now) {
    int deleted = jdbc.update("DELETE FROM medpipe.prediction_log WHERE created_at < ?",
        Timestamp.from(now.minus(retention)));
    if (deleted > 0) {
      log.info("Retention purge removed {} predictions older than {}", deleted, retention);
    }
    return deleted;
  }

  @Scheduled(cron = "${medpipe.serving.record.purge-cron:0 30 3 * * *}")
  void scheduledPurge() {
    purge(Instant.now());
  }
}
