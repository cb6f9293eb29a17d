package io.medpipe.pipeline;

import io.medpipe.system.EngineRole;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Starts a retraining run for a monitoring alert group unless one is already active for it, or the version in
 * production (the champion) is in its cool-down: a run an alert started for it less than
 * {@code medpipe.webhook.cool-down} ago, from any alert group. A refusal for the cool-down is audited in
 * {@code medpipe.run_audit} like the engine's refusals.
 *
 * <p>The checks and the start happen under PostgreSQL transaction-scoped advisory locks, on the business key and
 * then on the cool-down, so two notifications arriving together on two API nodes, for one group or for two groups of
 * the same champion, still start one run. The locks are always taken in that order, so they never deadlock.
 */
@EngineRole
@Service
public class RetrainTrigger {

  private static final Logger log = LoggerFactory.getLogger(RetrainTrigger.class);

  /** Who the audit names for a refused notification: the webhook only accepts Alertmanager's token. */
  static final String AUDIT_ACTOR = "alertmanager";
  static final String AUDIT_OPERATION = "retrain request";

  /** What happened to a retrain request. */
  public enum Outcome {
    /** A run was started. */
    STARTED,
    /** The alert group already has an active run: that run is named. */
    ALREADY_RUNNING,
    /** The champion is in its cool-down: the run that started it is named, with the cool-down's end. */
    COOLING_DOWN
  }

  /**
   * What happened to a retrain request.
   *
   * @param processInstanceId the run started, or the run that made the request unnecessary
   * @param origin            that run's recorded origin
   * @param coolDownUntil     when the champion's cool-down that this run started (or that refused the request) ends;
   *                          null without a champion or with the cool-down off
   */
  public record Result(Outcome outcome, String processInstanceId, String businessKey, Optional<RunOrigin> origin,
                       OffsetDateTime coolDownUntil) {

    public boolean started() {
      return outcome == Outcome.STARTED;
    }
  }

  private final RuntimeService runtime;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final RunOrigins origins;
  private final Duration coolDown;

  RetrainTrigger(RuntimeService runtime, JdbcTemplate jdbc, TransactionTemplate tx, RunOrigins origins,
                 WebhookProperties webhook) {
    this.runtime = runtime;
    this.jdbc = jdbc;
    this.tx = tx;
    this.origins = origins;
    this.coolDown = webhook.coolDown();
  }

  /** {@link #requestRetrain(String, String, List, OffsetDateTime, String)} for a full retraining. */
  public Result requestRetrain(String businessKey, String alertGroup, List<String> alertNames,
                               OffsetDateTime startedAt) {
    return requestRetrain(businessKey, alertGroup, alertNames, startedAt, ProcessConstants.RUN_ACTION_RETRAIN);
  }

  /**
   * Starts a run for the alert group unless one is active or the champion is cooling down.
   *
   * @param businessKey the group's business key, a hash of its group key
   * @param alertGroup  what the run stores as its alert group: the business key, never Alertmanager's raw group key
   * @param alertNames  shape-checked alert names
   * @param startedAt   when the first alert started, or null if the notification does not say
   * @param action      what the alerts ask for: retrain or recalibrate (RecordRunOrigin records what the run does)
   */
  public Result requestRetrain(String businessKey, String alertGroup, List<String> alertNames,
                               OffsetDateTime startedAt, String action) {
    return tx.execute(status -> {
      jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext(?))", businessKey);
      ProcessInstance active = runtime.createProcessInstanceQuery()
          .processDefinitionKey(ProcessConstants.PROCESS_PIPELINE)
          .processInstanceBusinessKey(businessKey)
          .listPage(0, 1).stream().findFirst().orElse(null);
      if (active != null) {
        Optional<RunOrigin> origin = origins.find(active.getId());
        return new Result(Outcome.ALREADY_RUNNING, active.getId(), businessKey, origin,
            origin.map(this::coolDownEnd).orElse(null));
      }
      // one lock for every group: the cool-down is per champion, and two groups may alert for it at once
      jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext('medpipe-retrain-cool-down'))");
      Optional<RunOrigin> cooling = coolingRun();
      if (cooling.isPresent()) {
        RunOrigin earlier = cooling.get();
        OffsetDateTime until = coolDownEnd(earlier);
        String detail = "champion " + earlier.championVersionId() + " is in its cool-down until " + until
            + " (run started by an alert at " + earlier.recordedAt() + "); alert group " + alertGroup + " ("
            + String.join(",", alertNames) + ") starts no run";
        jdbc.update("INSERT INTO medpipe.run_audit (actor, operation, run_id, outcome, detail)"
            + " VALUES (?, ?, ?, 'refused', ?)", AUDIT_ACTOR, AUDIT_OPERATION, earlier.runId(), detail);
        log.info("Retrain request refused: {}", detail);
        return new Result(Outcome.COOLING_DOWN, earlier.runId(), earlier.businessKey(), cooling, until);
      }
      VariableMap variables = Variables.createVariables()
          .putValue(ProcessConstants.VAR_TRIGGER, "alert")
          .putValue(ProcessConstants.VAR_ALERT_GROUP, alertGroup)
          .putValue(ProcessConstants.VAR_ALERT_NAMES, String.join(",", alertNames))
          .putValue(ProcessConstants.VAR_REQUESTED_ACTION, action);
      if (startedAt != null) {
        variables.putValue(ProcessConstants.VAR_ALERT_STARTED_AT, startedAt.toInstant().toString());
      }
      // the start event's listener (RecordRunOrigin) records the origin in this transaction
      ProcessInstance started = runtime.createMessageCorrelation(ProcessConstants.MESSAGE_RETRAIN_REQUESTED)
          .processInstanceBusinessKey(businessKey)
          .setVariables(variables)
          .correlateStartMessage();
      Optional<RunOrigin> origin = origins.find(started.getId());
      return new Result(Outcome.STARTED, started.getId(), businessKey, origin,
          origin.map(this::coolDownEnd).orElse(null));
    });
  }

  /**
   * The latest run an alert started for the version now in production within the cool-down, if any. Runs started by
   * hand or on schedule do not count: the cool-down holds back alerts, not people.
   */
  private Optional<RunOrigin> coolingRun() {
    if (coolDown.isZero()) {
      return Optional.empty();
    }
    List<Map<String, Object>> champion = jdbc.queryForList(
        "SELECT id FROM medpipe.model_version WHERE stage = 'PRODUCTION'");
    if (champion.isEmpty()) {
      return Optional.empty();
    }
    List<String> runs = jdbc.queryForList("""
        SELECT run_id FROM medpipe.run_origin
        WHERE trigger = 'alert' AND champion_version_id = ? AND recorded_at > clock_timestamp() - ? * interval '1 ms'
        ORDER BY recorded_at DESC LIMIT 1""", String.class, (UUID) champion.get(0).get("id"), coolDown.toMillis());
    return runs.stream().findFirst().flatMap(origins::find);
  }

  /** When the cool-down an alert-started run began for its champion ends; null where there is none. */
  private OffsetDateTime coolDownEnd(RunOrigin origin) {
    if (coolDown.isZero() || !"alert".equals(origin.trigger()) || origin.championVersionId() == null) {
      return null;
    }
    return origin.recordedAt().plus(coolDown);
  }
}
