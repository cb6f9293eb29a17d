package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zero-install database keeps its data in the configured directory across restarts. */
class EmbeddedDatabaseTest {

  @Test
  void keepsDataAcrossARestartInTheSameDirectory(@TempDir Path dir) throws Exception {
    String dataDir = dir.resolve("postgres").toString();
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir, 0);
         Connection c = DriverManager.getConnection(db.jdbcUrl());
         Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kept (v TEXT)");
      s.execute("INSERT INTO kept VALUES ('survives a restart')");
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir, 0);
         Connection c = DriverManager.getConnection(db.jdbcUrl());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("survives a restart");
    }
  }

  /** A commit must reach the disk before it returns: zonky's test default (off) would void durability=commit. */
  @Test
  void commitsWaitForTheWalFlushAndFsyncIsOn(@TempDir Path dir) throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("postgres").toString(), 0);
         Connection c = DriverManager.getConnection(db.jdbcUrl());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT current_setting('synchronous_commit'), current_setting('fsync')")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("on");
      assertThat(rs.getString(2)).isEqualTo("on");
    }
  }
}
