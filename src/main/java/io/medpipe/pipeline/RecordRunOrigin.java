package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.VAR_ALERT_GROUP;
import static io.medpipe.pipeline.ProcessConstants.VAR_ALERT_NAMES;
import static io.medpipe.pipeline.ProcessConstants.VAR_ALERT_STARTED_AT;
import static io.medpipe.pipeline.ProcessConstants.VAR_CHAMPION_VERSION_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_DRIFT_REPORT_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_MONITOR_RUN_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_REQUESTED_ACTION;
import static io.medpipe.pipeline.ProcessConstants.VAR_RUN_ACTION;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * The end listener of each start event of mlops-pipeline: records why the run started in {@code medpipe.run_origin},
 * once, in the engine's own transaction, and copies the ids into the run's variables for Cockpit.
 *
 * <p>Why a table and not the variables: an administrator can edit a run's variables, and the sign-off forms must show
 * the reason the run really had. The trigger comes from the start event that fired, not from a variable; the alert's
 * group, names and time come from the start message, which only the webhook may send ({@code signoff/StartRules});
 * the champion and the monitor run are looked up here, in the database, rather than taken from anything a caller
 * sends. Plain JDBC on the command's connection, as the sign-off records, because a plain engine has no Spring.
 *
 * <p>What the run does (its action) is recorded here too: recalibrate only when the alert asked for it and the
 * monitor run found behind it decided so and left a drift report (whose prior estimate the recalibration uses);
 * anything else is a full retraining, the step that is always safe.
 */
public class RecordRunOrigin implements ExecutionListener {

  /**
   * How much later than the alert's start a monitor run may have finished and still count as the one that raised it:
   * the alert follows the run's meters, so the run finishes first; this absorbs clock skew between Prometheus and
   * the database.
   */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(2);

  @Override
  public void notify(DelegateExecution execution) {
    String trigger = switch (execution.getCurrentActivityId()) {
      case "retrain-requested" -> "alert";
      case "scheduled-retraining" -> "schedule";
      default -> "manual";
    };
    Authentication user = execution.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
    String startedBy = "manual".equals(trigger) && user != null ? user.getUserId() : null;
    String alertGroup = null;
    String alertNames = null;
    OffsetDateTime alertStartedAt = null;
    String requested = ProcessConstants.RUN_ACTION_RETRAIN;
    if ("alert".equals(trigger)) {
      alertGroup = (String) execution.getVariable(VAR_ALERT_GROUP);
      alertNames = (String) execution.getVariable(VAR_ALERT_NAMES);
      String startedAt = (String) execution.getVariable(VAR_ALERT_STARTED_AT);
      alertStartedAt = startedAt == null ? null : OffsetDateTime.parse(startedAt);
      if (ProcessConstants.RUN_ACTION_RECALIBRATE.equals(execution.getVariable(VAR_REQUESTED_ACTION))) {
        requested = ProcessConstants.RUN_ACTION_RECALIBRATE;
      }
    }
    Connection connection = Context.getCommandContext().getDbSqlSession().getSqlSession().getConnection();
    try {
      UUID champion = champion(connection);
      UUID monitorRun = null;
      UUID report = null;
      String action = ProcessConstants.RUN_ACTION_RETRAIN;
      if ("alert".equals(trigger) && champion != null) {
        MonitorRun found = monitorRun(connection, champion, alertStartedAt);
        if (found != null) {
          monitorRun = found.id();
          report = found.reportId();
          if (ProcessConstants.RUN_ACTION_RECALIBRATE.equals(requested)
              && ProcessConstants.RUN_ACTION_RECALIBRATE.equals(found.action()) && report != null) {
            action = ProcessConstants.RUN_ACTION_RECALIBRATE;
          }
        }
      }
      try (PreparedStatement insert = connection.prepareStatement("""
          INSERT INTO medpipe.run_origin (run_id, business_key, trigger, started_by, alert_group, alert_names,
            alert_started_at, monitor_run_id, drift_report_id, champion_version_id, action)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
        insert.setString(1, execution.getProcessInstanceId());
        insert.setString(2, execution.getProcessBusinessKey());
        insert.setString(3, trigger);
        insert.setString(4, startedBy);
        insert.setString(5, alertGroup);
        insert.setString(6, alertNames);
        insert.setObject(7, alertStartedAt);
        insert.setObject(8, monitorRun);
        insert.setObject(9, report);
        insert.setObject(10, champion);
        insert.setString(11, action);
        insert.executeUpdate();
      }
      execution.setVariable(VAR_RUN_ACTION, action);
      // copies for Cockpit (ids only); nothing reads them back
      setIfPresent(execution, VAR_CHAMPION_VERSION_ID, champion);
      setIfPresent(execution, VAR_MONITOR_RUN_ID, monitorRun);
      setIfPresent(execution, VAR_DRIFT_REPORT_ID, report);
    } catch (SQLException e) {
      throw new ProcessEngineException("the run's origin could not be recorded: " + e.getMessage(), e);
    }
  }

  private static UUID champion(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT id FROM medpipe.model_version WHERE stage = 'PRODUCTION'");
         ResultSet rs = query.executeQuery()) {
      return rs.next() ? rs.getObject(1, UUID.class) : null;
    }
  }

  /** A monitor run as the origin needs it: its id, its drift report and what its policy decided. */
  private record MonitorRun(UUID id, UUID reportId, String action) {}

  /**
   * The monitor run that raised the alert: the champion's latest finished run whose policy said retrain or
   * recalibrate, finished before the alert started (the alerts fire on that run's meters); null if there is none.
   */
  private static MonitorRun monitorRun(Connection connection, UUID champion, OffsetDateTime alertStartedAt)
      throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("""
        SELECT id, report_id, action FROM medpipe.monitor_run
        WHERE model_version_id = ? AND status = 'done' AND action IN ('retrain', 'recalibrate') AND finished_at <= ?
        ORDER BY finished_at DESC LIMIT 1""")) {
      query.setObject(1, champion);
      OffsetDateTime latest = alertStartedAt == null ? OffsetDateTime.now() : alertStartedAt.plus(CLOCK_SKEW);
      query.setTimestamp(2, Timestamp.from(latest.toInstant()));
      try (ResultSet rs = query.executeQuery()) {
        return rs.next() ? new MonitorRun(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3))
            : null;
      }
    }
  }

  private static void setIfPresent(DelegateExecution execution, String name, UUID value) {
    if (value != null) {
      execution.setVariable(name, value.toString());
    }
  }
}
