package io.medpipe.system;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.StringUtils;

/**
 * The zero-install PostgreSQL: a real server from the zonky binaries, its data kept in a directory so that it
 * survives restarts. Used only when no external database URL is configured.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts PostgreSQL on the given data directory (created when missing, reused when present).
   *
   * @param dataDir directory holding the cluster; blank means a throw-away temporary cluster
   * @param port    TCP port on localhost, 0 for any free port
   */
  public static EmbeddedDatabase start(String dataDir, int port) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        // zonky's own hook would stop PostgreSQL before Spring stops the engine (the job executor then spins);
        // Spring closes this bean after everything that uses the DataSource instead.
        .setRegisterShutdownHook(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("max_connections", "100")
        // zonky starts PostgreSQL with -F (fsync off) and synchronous_commit off, test-speed defaults under which an
        // OS crash can lose committed rows or corrupt the cluster. medpipe keeps real records here (the registry, the
        // process history, the prediction record whose durability=commit promises that an acknowledged prediction
        // survives a crash), so PostgreSQL's own defaults are restored; -c options come after -F and win.
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on");
    if (port > 0) {
      builder.setPort(port);
    }
    if (StringUtils.hasText(dataDir)) {
      Path dir = Path.of(dataDir).toAbsolutePath();
      Files.createDirectories(dir.getParent());
      builder.setDataDirectory(dir).setCleanDataDirectory(false);
      log.info("Embedded PostgreSQL with data in {}", dir);
    } else {
      log.info("Embedded PostgreSQL with a temporary data directory");
    }
    return new EmbeddedDatabase(builder.start());
  }

  public String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
