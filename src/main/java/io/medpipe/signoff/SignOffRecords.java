package io.medpipe.signoff;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.cfg.standalone.StandaloneTransactionContext;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;

/**
 * The SQL of the sign-off, evidence and audit tables over one JDBC connection.
 *
 * <p>Inside the engine it runs on the command's own connection ({@link #inCommand()}), so a sign-off is written or
 * voided in the same transaction as the completion or modification that causes it, in the Spring application and in
 * a plain engine alike; outside, Spring hands it a connection. Plain JDBC rather than a JdbcTemplate because the
 * engine side has no Spring context to take one from.
 */
final class SignOffRecords {

  private static final String SIGN_OFF_COLUMNS = "id, seq, run_id, process_instance_id, task_id, task_key, signed_by,"
      + " decision, comment, evidence_id, evidence_sha256, signed_at, voided_at, void_reason";

  private final Connection connection;
  private final CommandContext command;
  private boolean rollbackRegistered;

  SignOffRecords(Connection connection) {
    this(connection, null);
  }

  private SignOffRecords(Connection connection, CommandContext command) {
    this.connection = connection;
    this.command = command;
  }

  /** On the connection of the engine command running on this thread. */
  static SignOffRecords inCommand() {
    CommandContext command = Context.getCommandContext();
    return new SignOffRecords(command.getDbSqlSession().getSqlSession().getConnection(), command);
  }

  UUID insert(String runId, String processInstanceId, String taskId, String taskKey, String signedBy,
              String decision, String comment, UUID evidenceId, String evidenceSha256) {
    UUID id = UUID.randomUUID();
    update("""
        INSERT INTO medpipe.sign_off (id, run_id, process_instance_id, task_id, task_key, signed_by, decision, comment,
          evidence_id, evidence_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        id, runId, processInstanceId, taskId, taskKey, signedBy, decision, comment, evidenceId, evidenceSha256);
    return id;
  }

  /** The run's latest sign-off of a task that is still valid, if any. */
  Optional<SignOff> latestValid(String runId, String taskKey) {
    return signOffs("SELECT " + SIGN_OFF_COLUMNS + " FROM medpipe.sign_off WHERE run_id = ? AND task_key = ?"
        + " AND voided_at IS NULL ORDER BY seq DESC LIMIT 1", runId, taskKey).stream().findFirst();
  }

  List<SignOff> ofRun(String runId) {
    return signOffs("SELECT " + SIGN_OFF_COLUMNS + " FROM medpipe.sign_off WHERE run_id = ? ORDER BY seq", runId);
  }

  List<SignOff> ofInstance(String processInstanceId) {
    return signOffs("SELECT " + SIGN_OFF_COLUMNS + " FROM medpipe.sign_off WHERE process_instance_id = ? ORDER BY seq",
        processInstanceId);
  }

  /** Voids every still valid sign-off of a run; returns how many. */
  int voidRun(String runId, String reason) {
    return update("UPDATE medpipe.sign_off SET voided_at = clock_timestamp(), void_reason = ?"
        + " WHERE run_id = ? AND voided_at IS NULL", reason, runId);
  }

  void voidOne(UUID id, String reason) {
    update("UPDATE medpipe.sign_off SET voided_at = clock_timestamp(), void_reason = ? WHERE id = ?"
        + " AND voided_at IS NULL", reason, id);
  }

  void audit(String actor, String operation, String runId, String outcome, String detail) {
    update("INSERT INTO medpipe.run_audit (actor, operation, run_id, outcome, detail) VALUES (?, ?, ?, ?, ?)",
        actor, operation, runId, outcome, detail);
  }

  Optional<Evidence> evidence(UUID id) {
    try (PreparedStatement st = connection.prepareStatement("SELECT id, process_instance_id, model_version_id,"
        + " created_at, content, sha256 FROM medpipe.evidence WHERE id = ?")) {
      st.setObject(1, id);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Evidence(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, UUID.class),
            rs.getObject(4, OffsetDateTime.class), rs.getString(5), rs.getString(6)));
      }
    } catch (SQLException e) {
      throw failure("read evidence " + id, e);
    }
  }

  private List<SignOff> signOffs(String sql, Object... args) {
    try (PreparedStatement st = prepare(sql, args); ResultSet rs = st.executeQuery()) {
      List<SignOff> result = new ArrayList<>();
      while (rs.next()) {
        result.add(new SignOff(rs.getObject("id", UUID.class), rs.getLong("seq"), rs.getString("run_id"),
            rs.getString("process_instance_id"), rs.getString("task_id"), rs.getString("task_key"),
            rs.getString("signed_by"), rs.getString("decision"), rs.getString("comment"),
            rs.getObject("evidence_id", UUID.class), rs.getString("evidence_sha256"),
            rs.getObject("signed_at", OffsetDateTime.class), rs.getObject("voided_at", OffsetDateTime.class),
            rs.getString("void_reason")));
      }
      return result;
    } catch (SQLException e) {
      throw failure("read sign-offs", e);
    }
  }

  private int update(String sql, Object... args) {
    rollBackWithTheCommand();
    try (PreparedStatement st = prepare(sql, args)) {
      return st.executeUpdate();
    } catch (SQLException e) {
      throw failure("write the sign-off record", e);
    }
  }

  /**
   * Makes a failed command take these writes with it in a plain engine (no Spring): it rolls back through MyBatis,
   * which skips the rollback when MyBatis itself wrote nothing and then resets auto-commit, and that commits what was
   * written here. Under Spring the transaction manager rolls the connection back (and its "rolling back" event also
   * fires before a commit, so it must not be used there).
   */
  private void rollBackWithTheCommand() {
    if (command == null || rollbackRegistered
        || !(command.getTransactionContext() instanceof StandaloneTransactionContext)) {
      return;
    }
    rollbackRegistered = true;
    command.getTransactionContext().addTransactionListener(TransactionState.ROLLINGBACK, context -> {
      try {
        connection.rollback();
      } catch (SQLException e) {
        throw failure("roll back the sign-off record", e);
      }
    });
  }

  private PreparedStatement prepare(String sql, Object... args) throws SQLException {
    PreparedStatement st = connection.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      st.setObject(i + 1, args[i]);
    }
    return st;
  }

  /** Names the SQL state only: a driver message may quote values. */
  private static ProcessEngineException failure(String what, SQLException e) {
    return new ProcessEngineException("cannot " + what + " (SQLState " + e.getSQLState() + ")", e);
  }
}
