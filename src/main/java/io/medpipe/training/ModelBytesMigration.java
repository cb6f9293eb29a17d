package io.medpipe.training;

import io.medpipe.artifact.ArtifactStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.springframework.stereotype.Component;

/**
 * Flyway migration 7: a training run's model is kept once, in the artifact store, instead of in both
 * {@code training_run.model} and the registry's artifact. Every existing run's bytes move to the artifact store: a
 * registered run points at its version's artifact when that holds the same bytes (checked), any other run's bytes are
 * stored under their SHA-256 ({@link TrainingRuns#MODEL_PREFIX}); the URI goes into the new column
 * {@code model_uri}, and {@code model} is dropped. A run whose stored bytes no longer matched its checksum keeps that
 * checksum, so loading it fails as it did before.
 *
 * <p>Java rather than SQL because the artifact store (a directory or a bucket) is outside the database. Spring Boot
 * hands every {@link JavaMigration} bean to Flyway. If it fails half-way the database rolls back; the artifacts
 * already written stay and are reused by the next attempt (same bytes, same key).
 */
@Component
public class ModelBytesMigration implements JavaMigration {

  private final ArtifactStore artifacts;

  public ModelBytesMigration(ArtifactStore artifacts) {
    this.artifacts = artifacts;
  }

  @Override
  public MigrationVersion getVersion() { return MigrationVersion.fromVersion("7"); }

  @Override
  public String getDescription() { return "training run models in the artifact store"; }

  @Override
  public Integer getChecksum() { return 7; }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    try (Statement st = c.createStatement()) {
      st.execute("ALTER TABLE medpipe.training_run ADD COLUMN model_uri TEXT");
    }
    try (PreparedStatement rows = c.prepareStatement("""
        SELECT r.id, r.model, r.model_sha256,
               (SELECT v.artifact_uri FROM medpipe.model_version v
                WHERE v.training_run_id = r.id AND v.artifact_sha256 = r.model_sha256 LIMIT 1) AS registered
        FROM medpipe.training_run r""");
         PreparedStatement update = c.prepareStatement(
             "UPDATE medpipe.training_run SET model_uri = ? WHERE id = ?")) {
      rows.setFetchSize(1); // one model in memory at a time
      try (ResultSet rs = rows.executeQuery()) {
        while (rs.next()) {
          update.setString(1, uri(rs.getBytes("model"), rs.getString("model_sha256"), rs.getString("registered")));
          update.setObject(2, rs.getObject("id"));
          update.executeUpdate();
        }
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute("ALTER TABLE medpipe.training_run DROP COLUMN model");
      st.execute("ALTER TABLE medpipe.training_run ALTER COLUMN model_uri SET NOT NULL");
    }
  }

  /** The registered artifact if it is readable and holds these bytes, else the bytes stored under their SHA-256. */
  private String uri(byte[] model, String recordedSha256, String registered) {
    if (registered != null) {
      try {
        artifacts.get(registered, recordedSha256);
        return registered;
      } catch (RuntimeException e) {
        // missing or changed: the run's own copy is the one to keep
      }
    }
    return artifacts.putContent(TrainingRuns.MODEL_PREFIX, model).uri();
  }
}
