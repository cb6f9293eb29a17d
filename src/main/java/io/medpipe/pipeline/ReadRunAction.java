package io.medpipe.pipeline;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.variable.Variables;

/**
 * The start listener of Develop's first gateway: sets the transient variable {@code recalibrate} from what the run's
 * recorded origin says it does ({@code medpipe.run_origin.action}, written once by {@link RecordRunOrigin}).
 *
 * <p>Why transient and read from the record: a stored variable can be edited by an administrator, and which path a run
 * takes (re-basing the champion, or a full retraining from the data stage) is part of why it exists. A run without a
 * record (Develop started on its own) retrains. Plain JDBC on the command's connection, as RecordRunOrigin.
 */
public class ReadRunAction implements ExecutionListener {

  @Override
  public void notify(DelegateExecution execution) {
    String root = ((ExecutionEntity) execution).getRootProcessInstanceId();
    boolean recalibrate = false;
    Connection connection = Context.getCommandContext().getDbSqlSession().getSqlSession().getConnection();
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT action FROM medpipe.run_origin WHERE run_id = ?")) {
      query.setString(1, root == null ? execution.getProcessInstanceId() : root);
      try (ResultSet rs = query.executeQuery()) {
        recalibrate = rs.next() && ProcessConstants.RUN_ACTION_RECALIBRATE.equals(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new ProcessEngineException("the run's recorded action could not be read: " + e.getMessage(), e);
    }
    execution.setVariable(ProcessConstants.VAR_RECALIBRATE, Variables.booleanValue(recalibrate, true));
  }
}
