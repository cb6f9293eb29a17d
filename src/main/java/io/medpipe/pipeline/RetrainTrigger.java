package io.medpipe.pipeline;

import io.medpipe.system.EngineRole;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Starts a retraining run for a monitoring alert group unless one is already active for it.
 *
 * <p>The check and the start happen under a PostgreSQL transaction-scoped advisory lock on the business key, so
 * two notifications arriving together on two API nodes still start one run.
 */
@EngineRole
@Service
public class RetrainTrigger {

  /** What happened to a retrain request. */
  public record Result(boolean started, String processInstanceId, String businessKey, Optional<RunOrigin> origin) {}

  private final RuntimeService runtime;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final RunOrigins origins;

  RetrainTrigger(RuntimeService runtime, JdbcTemplate jdbc, TransactionTemplate tx, RunOrigins origins) {
    this.runtime = runtime;
    this.jdbc = jdbc;
    this.tx = tx;
    this.origins = origins;
  }

  /**
   * Starts a run for the alert group unless one is active.
   *
   * @param businessKey the group's business key, a hash of its group key
   * @param alertGroup  what the run stores as its alert group: the business key, never Alertmanager's raw group key
   * @param alertNames  shape-checked alert names
   * @param startedAt   when the first alert started, or null if the notification does not say
   */
  public Result requestRetrain(String businessKey, String alertGroup, List<String> alertNames,
                               OffsetDateTime startedAt) {
    return tx.execute(status -> {
      jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext(?))", businessKey);
      ProcessInstance active = runtime.createProcessInstanceQuery()
          .processDefinitionKey(ProcessConstants.PROCESS_PIPELINE)
          .processInstanceBusinessKey(businessKey)
          .listPage(0, 1).stream().findFirst().orElse(null);
      if (active != null) {
        return new Result(false, active.getId(), businessKey, origins.find(active.getId()));
      }
      VariableMap variables = Variables.createVariables()
          .putValue(ProcessConstants.VAR_TRIGGER, "alert")
          .putValue(ProcessConstants.VAR_ALERT_GROUP, alertGroup)
          .putValue(ProcessConstants.VAR_ALERT_NAMES, String.join(",", alertNames));
      if (startedAt != null) {
        variables.putValue(ProcessConstants.VAR_ALERT_STARTED_AT, startedAt.toInstant().toString());
      }
      // the start event's listener (RecordRunOrigin) records the origin in this transaction
      ProcessInstance started = runtime.createMessageCorrelation(ProcessConstants.MESSAGE_RETRAIN_REQUESTED)
          .processInstanceBusinessKey(businessKey)
          .setVariables(variables)
          .correlateStartMessage();
      return new Result(true, started.getId(), businessKey, origins.find(started.getId()));
    });
  }
}
