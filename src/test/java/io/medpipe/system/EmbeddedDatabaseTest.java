package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-install database keeps its data in the configured directory across restarts, and is a server like any
 * other: only the superuser's password gets in.
 */
class EmbeddedDatabaseTest {

  static final String PASSWORD = "0123456789abcdef0123456789abcdef";

  @Test
  void keepsDataAcrossARestartInTheSameDirectory(@TempDir Path dir) throws Exception {
    String dataDir = dir.resolve("postgres").toString();
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir, 0, PASSWORD);
         Connection c = db.connect();
         Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kept (v TEXT)");
      s.execute("INSERT INTO kept VALUES ('survives a restart')");
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir, 0, PASSWORD);
         Connection c = db.connect();
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("survives a restart");
    }
  }

  /** A commit must reach the disk before it returns: zonky's test default (off) would void durability=commit. */
  @Test
  void commitsWaitForTheWalFlushAndFsyncIsOn(@TempDir Path dir) throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("postgres").toString(), 0, PASSWORD);
         Connection c = db.connect();
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT current_setting('synchronous_commit'), current_setting('fsync')")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("on");
      assertThat(rs.getString(2)).isEqualTo("on");
    }
  }

  /** Issue 11, item 7: "the embedded PostgreSQL trusts any local process as superuser". */
  @Test
  void aLocalProcessWithoutThePasswordIsRefused(@TempDir Path dir) throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("postgres").toString(), 0, PASSWORD)) {
      assertRefusedWithout(db);
      assertThat(Files.readString(dir.resolve("postgres/pg_hba.conf"))).doesNotContainPattern("(?m)^[^#]*trust");
      try (Connection c = db.connect(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid"
               + " WHERE rolname = 'postgres'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBoolean(1)).as("the password is stored as a SCRAM verifier").isTrue();
      }
    }
  }

  /** A cluster made by an older medpipe trusted local connections; its next start converts it. */
  @Test
  void aTrustingClusterOfAnOlderMedpipeIsConvertedOnStart(@TempDir Path dir) throws Exception {
    Path dataDir = dir.resolve("postgres");
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
        .setRegisterShutdownHook(false).start();
         Connection c = DriverManager.getConnection(old.getJdbcUrl("postgres", "postgres"));
         Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kept (v TEXT)");
      s.execute("INSERT INTO kept VALUES ('from before')");
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir.toString(), 0, PASSWORD)) {
      assertRefusedWithout(db);
      try (Connection c = db.connect(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("from before");
      }
    }
  }

  private static void assertRefusedWithout(EmbeddedDatabase db) {
    // a plain JDBC connect, as any local process could try it: no password, then a wrong one
    assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl()).close())
        .isInstanceOf(SQLException.class);
    Properties wrong = new Properties();
    wrong.setProperty("password", "postgres");
    assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), wrong).close())
        .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
  }
}
