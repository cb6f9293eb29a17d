package io.medpipe.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.artifact.ArtifactStore;
import io.medpipe.artifact.FileSystemArtifactStore;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.system.Json;
import io.medpipe.training.model.RandomForestModel;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Flyway migration 7 on a database of the version before it: every run's model leaves {@code training_run.model} for
 * the artifact store, registered runs share their version's artifact, and every model still loads from its run.
 */
class ModelBytesMigrationTest {

  @TempDir Path artifactDir;

  @Test
  void movesEveryRunsModelIntoTheArtifactStoreOnceAndDropsTheColumn() throws Exception {
    EmbeddedPostgres pg = TestDatabase.server();
    String name = "medpipe_v7_" + UUID.randomUUID().toString().replace("-", "");
    new JdbcTemplate(pg.getPostgresDatabase()).execute("CREATE DATABASE " + name);
    DataSource ds = pg.getDatabase("postgres", name);
    ArtifactStore store = new FileSystemArtifactStore(artifactDir);
    ModelBytesMigration migration = new ModelBytesMigration(store);
    // the schema just before 7 (the first Java migration); later SQL migrations come after it
    Flyway.configure().dataSource(ds).schemas("medpipe", "ehr").defaultSchema("medpipe").target("6").load().migrate();
    JdbcTemplate jdbc = new JdbcTemplate(ds);

    UUID snapshot = UUID.randomUUID();
    jdbc.update("""
        INSERT INTO medpipe.dataset_snapshot (id, features, classes, class_counts, row_count, content_hash,
                                              source_spec_hash)
        VALUES (?, '[]'::jsonb, '["DIE","LIVE"]'::jsonb, '{}'::jsonb, 2, 'dhash', 'shash')""", snapshot);
    byte[] registeredModel = resource("/models/golden-hepatitis-rf-balanced.bin");
    byte[] oldModel = resource("/models/classifier-model-before-calibration.bin");
    byte[] lostArtifactModel = resource("/models/golden-hepatitis-develop.bin");
    byte[] corrupted = resource("/models/rf-before-mlp.model");
    // registered: the version's artifact holds the same bytes
    UUID registered = run(jdbc, snapshot, registeredModel, ArtifactStore.sha256(registeredModel));
    String versionUri = store.put("models/hepatitis-random_forest/1/model.bin", registeredModel);
    version(jdbc, registered, snapshot, 1, versionUri, ArtifactStore.sha256(registeredModel));
    // never registered (e.g. rejected at clinical validation), in the format of an older version
    UUID unregistered = run(jdbc, snapshot, oldModel, ArtifactStore.sha256(oldModel));
    // registered, but its version's artifact is gone: the run's own copy must survive
    UUID lost = run(jdbc, snapshot, lostArtifactModel, ArtifactStore.sha256(lostArtifactModel));
    version(jdbc, lost, snapshot, 2, artifactDir.resolve("models/gone.bin").toUri().toString(),
        ArtifactStore.sha256(lostArtifactModel));
    // bytes that no longer match their checksum
    UUID broken = run(jdbc, snapshot, corrupted, "0".repeat(64));

    flyway(ds, migration).load().migrate();

    assertThat(jdbc.queryForList("SELECT column_name FROM information_schema.columns WHERE table_schema = 'medpipe'"
        + " AND table_name = 'training_run'", String.class)).contains("model_uri").doesNotContain("model");
    TrainingRuns runs = new TrainingRuns(jdbc, new Json(new ObjectMapper()), store);
    assertThat(runs.find(registered).modelUri()).isEqualTo(versionUri);
    assertThat(runs.find(unregistered).modelUri()).endsWith("/models/sha256/" + ArtifactStore.sha256(oldModel));
    assertThat(runs.find(lost).modelUri()).endsWith("/models/sha256/" + ArtifactStore.sha256(lostArtifactModel));
    assertThat(runs.modelBytes(registered)).isEqualTo(registeredModel);
    assertThat(runs.modelBytes(unregistered)).isEqualTo(oldModel);
    assertThat(runs.modelBytes(lost)).isEqualTo(lostArtifactModel);
    assertThat(runs.model(unregistered)).isInstanceOf(RandomForestModel.class);
    assertThat(runs.model(registered).predictProba(new double[19])).hasSize(2);
    assertThatThrownBy(() -> runs.modelBytes(broken)).isInstanceOf(ArtifactStore.IntegrityException.class);
    // the registered run's bytes were not stored a second time
    try (Stream<Path> files = Files.walk(artifactDir.resolve("models/sha256"))) {
      assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(ArtifactStore.sha256(oldModel), ArtifactStore.sha256(lostArtifactModel),
              ArtifactStore.sha256(corrupted));
    }
    assertThat(Files.readAllBytes(Path.of(URI.create(runs.find(lost).modelUri())))).isEqualTo(lostArtifactModel);
  }

  private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(DataSource ds,
                                                                                ModelBytesMigration migration) {
    return Flyway.configure().dataSource(ds).schemas("medpipe", "ehr").defaultSchema("medpipe")
        .javaMigrations(migration);
  }

  private static UUID run(JdbcTemplate jdbc, UUID snapshot, byte[] model, String sha) {
    UUID id = UUID.randomUUID();
    jdbc.update("""
        INSERT INTO medpipe.training_run (id, snapshot_id, algorithm, params, seed, target_class, test_rows, model,
                                          model_sha256, train_seconds)
        VALUES (?, ?, 'RANDOM_FOREST', '{}'::jsonb, 42, 'DIE', '{1}', ?, ?, 0.5)""", id, snapshot, model, sha);
    return id;
  }

  private static void version(JdbcTemplate jdbc, UUID run, UUID snapshot, int version, String uri, String sha) {
    jdbc.update("""
        INSERT INTO medpipe.model_version (id, name, version, training_run_id, snapshot_id, dataset_hash, algorithm,
                                           params, metrics, artifact_uri, artifact_sha256)
        VALUES (?, 'die-random_forest', ?, ?, ?, 'dhash', 'RANDOM_FOREST', '{}'::jsonb, '{}'::jsonb, ?, ?)""",
        UUID.randomUUID(), version, run, snapshot, uri, sha);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ModelBytesMigrationTest.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }
}
