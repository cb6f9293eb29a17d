package io.medpipe.ehr;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills an empty EHR with a {@link SyntheticCohort} so a fresh installation has data to run the pipeline on.
 * It never touches an EHR that already holds patients.
 */
public final class CohortSeeder {

  private static final Logger LOG = LoggerFactory.getLogger(CohortSeeder.class);

  /**
   * Generates the cohort when ehr.patient is empty.
   *
   * @return true when a cohort was written, false when patients already existed or there is no ehr schema
   */
  public boolean seedIfEmpty(DataSource dataSource, CohortOptions options) {
    try (Connection c = dataSource.getConnection()) {
      if (!hasPatientTable(c)) {
        LOG.warn("no table ehr.patient in this database; synthetic cohort not seeded");
        return false;
      }
      return Transactions.inTransaction(c, tx -> {
        try (Statement st = tx.createStatement()) {
          // two instances starting together must not both seed: the second waits here, then sees rows
          st.execute("LOCK TABLE ehr.patient IN SHARE ROW EXCLUSIVE MODE");
          try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM ehr.patient)")) {
            rs.next();
            if (rs.getBoolean(1)) {
              LOG.info("ehr.patient already has rows; synthetic cohort not seeded");
              return false;
            }
          }
        }
        long start = System.nanoTime();
        SyntheticCohort.Counts counts = SyntheticCohort.generate(tx, options);
        LOG.info("seeded synthetic cohort in {} ms: {} patients, {} encounters, {} observations, {} symptoms,"
            + " {} diagnoses, {} notes", (System.nanoTime() - start) / 1_000_000, counts.patients(),
            counts.encounters(), counts.observations(), counts.symptoms(), counts.diagnoses(), counts.notes());
        return true;
      });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot seed synthetic cohort", e);
    }
  }

  private static boolean hasPatientTable(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    for (String[] name : new String[][] {{"ehr", "patient"}, {"EHR", "PATIENT"}}) {
      try (ResultSet rs = md.getTables(null, name[0], name[1], null)) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }
}
