package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 8: after {@code kill -9} of the JVM its embedded PostgreSQL lives on and holds the data directory.
 * A real JVM (a small launcher) starts the database and writes a row, is killed with SIGKILL, and the next start on
 * the same directory must find the orphan, stop it, come up and still have the row. The time it takes is printed.
 */
class EmbeddedDatabaseCrashRecoveryTest {

  static final String PASSWORD = "fedcba9876543210fedcba9876543210";

  @Test
  void aStartAfterKillMinus9StopsTheOrphanedPostgresAndKeepsTheData(@TempDir Path dir) throws Exception {
    Path dataDir = dir.resolve("postgres");
    Path output = dir.resolve("launcher.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process launcher = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        Launcher.class.getName(), dataDir.toString(), PASSWORD)
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    long orphan;
    try {
      awaitLine(output, "READY", Duration.ofMinutes(2), launcher);
      orphan = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    } finally {
      launcher.destroyForcibly(); // SIGKILL: no shutdown hook, no close
    }
    assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("PostgreSQL outlives the killed JVM")
        .contains(true);

    long start = System.nanoTime();
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dataDir.toString(), 0, PASSWORD)) {
      long ms = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("start after kill -9: ready in %d ms (orphaned PostgreSQL %d stopped first)%n", ms, orphan);
      assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      try (Connection c = db.connect(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT v FROM crash")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("written before kill -9");
      }
    }
  }

  /** A directory whose medpipe is alive is not taken over: one line says so. */
  @Test
  void aDirectoryInUseByALiveMedpipeIsRefusedInOneLine(@TempDir Path dir) throws Exception {
    String dataDir = dir.resolve("postgres").toString();
    try (EmbeddedDatabase running = EmbeddedDatabase.start(dataDir, 0, PASSWORD)) {
      assertThatThrownBy(() -> EmbeddedDatabase.start(dataDir, 0, PASSWORD))
          .isInstanceOf(EmbeddedDatabase.StartFailure.class)
          .hasMessageContaining("is in use by another running medpipe")
          .hasMessageNotContaining("\n");
      try (Connection c = running.connect()) {
        assertThat(c.isValid(5)).as("the running database was left alone").isTrue();
      }
    }
  }

  private static void awaitLine(Path file, String line, Duration timeout, Process process) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readAllLines(file).stream().anyMatch(l -> l.startsWith(line))) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError("the launcher ended: " + Files.readString(file));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no " + line + " from the launcher within " + timeout);
  }

  /** The JVM that is killed: starts the embedded database, writes a row, says READY and waits. */
  public static final class Launcher {

    public static void main(String[] args) throws Exception {
      EmbeddedDatabase db = EmbeddedDatabase.start(args[0], 0, args[1]);
      try (Connection c = db.connect(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE crash (v TEXT)");
        s.execute("INSERT INTO crash VALUES ('written before kill -9')");
      }
      System.out.println("READY " + db.port());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
