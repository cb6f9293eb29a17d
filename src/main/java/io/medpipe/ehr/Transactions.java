package io.medpipe.ehr;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One JDBC transaction on a connection the caller owns: commit when the work returns, roll back when it throws,
 * and leave the connection's auto-commit as it was. The EHR classes work on raw connections (COPY, bulk SQL), so
 * they share this instead of each writing the same try/commit/rollback.
 */
final class Transactions {

  private Transactions() {}

  /** The work of one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }
}
