package io.medpipe.champion;

import static io.medpipe.pipeline.ProcessConstants.VAR_CHAMPION_COMPARISON_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_CHAMPION_DECISION;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.context.Context;

/**
 * The end listener of "Champion or challenger?" (the business rule task of processes/champion-challenger.dmn): records
 * the table's verdict on the comparison in {@code medpipe.champion_verdict}, once, in the engine's own transaction, so
 * the API and the model card show what was decided even after the run's variables are gone or edited.
 *
 * <p>A decision without a result fails the step: a challenger that was held to no rule has not been judged.
 */
public class RecordChampionVerdict implements ExecutionListener {

  @Override
  public void notify(DelegateExecution execution) {
    Object result = execution.getVariable(VAR_CHAMPION_DECISION);
    if (!(result instanceof Map<?, ?> decision) || !(decision.get("proceed") instanceof Boolean proceed)) {
      throw new ProcessEngineException("the decision champion-challenger gave no verdict (proceed): every input must"
          + " match a row of processes/champion-challenger.dmn");
    }
    String reason = String.valueOf(decision.get("reason"));
    Object id = execution.getVariable(VAR_CHAMPION_COMPARISON_ID);
    if (id == null) {
      throw new ProcessEngineException("process variable " + VAR_CHAMPION_COMPARISON_ID + " is missing: the"
          + " comparison step did not run");
    }
    UUID comparison;
    try {
      comparison = UUID.fromString(id.toString());
    } catch (IllegalArgumentException e) {
      throw new ProcessEngineException("process variable " + VAR_CHAMPION_COMPARISON_ID + " is not an id (UUID)");
    }
    Connection connection = Context.getCommandContext().getDbSqlSession().getSqlSession().getConnection();
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO medpipe.champion_verdict"
        + " (comparison_id, run_id, proceed, reason) VALUES (?, ?, ?, ?)")) {
      insert.setObject(1, comparison);
      String root = execution.getProcessInstance() == null ? null : rootOf(execution);
      insert.setString(2, root);
      insert.setBoolean(3, proceed);
      insert.setString(4, reason);
      insert.executeUpdate();
    } catch (SQLException e) {
      throw new ProcessEngineException("the champion verdict could not be recorded (SQLState " + e.getSQLState()
          + ")", e);
    }
  }

  /** The pipeline run: the root of the call hierarchy this Staging instance belongs to. */
  private static String rootOf(DelegateExecution execution) {
    String root = ((org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity) execution)
        .getRootProcessInstanceId();
    return root != null ? root : execution.getProcessInstanceId();
  }
}
