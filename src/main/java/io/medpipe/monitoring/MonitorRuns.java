package io.medpipe.monitoring;

import com.fasterxml.jackson.core.type.TypeReference;
import io.medpipe.system.Json;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** The monitor runs in PostgreSQL ({@code medpipe.monitor_run}): what each run looked at, found and decided. */
@Repository
public class MonitorRuns {

  private static final TypeReference<List<Map<String, Object>>> SIGNALS = new TypeReference<>() {};

  private final JdbcTemplate jdbc;
  private final Json json;

  public MonitorRuns(JdbcTemplate jdbc, Json json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * One run as stored and as the API shows it.
   *
   * @param status  running, done or failed
   * @param outcome analysed, too-few-predictions, no-profile or no-model; null while running or after a failure
   * @param signals per signal: flagged, magnitude, evidence, the policy's action and reason
   * @param message one sentence for people (or the failure)
   */
  public record Run(UUID id, OffsetDateTime createdAt, OffsetDateTime finishedAt, String trigger, String requestedBy,
                    String status, String outcome, UUID modelVersionId, Integer windowLast, OffsetDateTime windowFrom,
                    OffsetDateTime windowTo, Integer windowRows, UUID reportId, String action,
                    List<Map<String, Object>> signals, String message, String processInstanceId) {

    /** Where the run's drift report is (JSON; HTML at the same path with .html), or null without one. */
    @com.fasterxml.jackson.annotation.JsonProperty("reportUrl")
    public String reportUrl() {
      return reportId == null ? null : "/api/v1/reports/" + reportId;
    }
  }

  /** Stores a new run as running. */
  void start(UUID id, String trigger, String requestedBy, Integer last, Instant from, Instant to,
             String processInstanceId) {
    jdbc.update("""
        INSERT INTO medpipe.monitor_run (id, trigger, requested_by, status, window_last, window_from, window_to,
                                         process_instance_id)
        VALUES (?, ?, ?, 'running', ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET status = 'running', process_instance_id = coalesce(
          monitor_run.process_instance_id, EXCLUDED.process_instance_id), message = NULL""",
        id, trigger, requestedBy, last, from == null ? null : Timestamp.from(from),
        to == null ? null : Timestamp.from(to), processInstanceId);
  }

  /** Names the process instance that carries the run. */
  void attachProcess(UUID id, String processInstanceId) {
    jdbc.update("UPDATE medpipe.monitor_run SET process_instance_id = ? WHERE id = ?", processInstanceId, id);
  }

  /** Records a finished run. */
  void finish(UUID id, String outcome, UUID versionId, Integer windowRows, UUID reportId, String action,
              List<Map<String, Object>> signals, String message) {
    jdbc.update("""
        UPDATE medpipe.monitor_run SET status = 'done', finished_at = now(), outcome = ?, model_version_id = ?,
          window_rows = ?, report_id = ?, action = ?, signals = ?::jsonb, message = ? WHERE id = ?""",
        outcome, versionId, windowRows, reportId, action, json.write(signals), message, id);
  }

  /** Records a failed run with its readable message. */
  void fail(UUID id, String message) {
    jdbc.update("UPDATE medpipe.monitor_run SET status = 'failed', finished_at = now(), message = ? WHERE id = ?",
        message, id);
  }

  public Optional<Run> find(UUID id) {
    return jdbc.query("SELECT * FROM medpipe.monitor_run WHERE id = ?", mapper(), id).stream().findFirst();
  }

  /** The latest finished run that analysed a window, if any. */
  Optional<Run> lastFinished() {
    return jdbc.query("SELECT * FROM medpipe.monitor_run WHERE status = 'done' ORDER BY finished_at DESC LIMIT 1",
        mapper()).stream().findFirst();
  }

  /** The latest runs, newest first. */
  public List<Run> latest(int limit) {
    return jdbc.query("SELECT * FROM medpipe.monitor_run ORDER BY created_at DESC LIMIT ?", mapper(), limit);
  }

  private RowMapper<Run> mapper() {
    return (rs, i) -> new Run(rs.getObject("id", UUID.class), rs.getObject("created_at", OffsetDateTime.class),
        rs.getObject("finished_at", OffsetDateTime.class), rs.getString("trigger"), rs.getString("requested_by"),
        rs.getString("status"), rs.getString("outcome"), rs.getObject("model_version_id", UUID.class),
        (Integer) rs.getObject("window_last"), rs.getObject("window_from", OffsetDateTime.class),
        rs.getObject("window_to", OffsetDateTime.class), (Integer) rs.getObject("window_rows"),
        rs.getObject("report_id", UUID.class), rs.getString("action"),
        rs.getString("signals") == null ? List.of() : json.read(rs.getString("signals"), SIGNALS),
        rs.getString("message"), rs.getString("process_instance_id"));
  }
}
