package io.medpipe.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medpipe.ehr.TestDatabase;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The database itself keeps a registered model version immutable (trigger model_version_immutable and rule
 * model_version_no_delete in V2__platform_schema.sql): only its stage may change, and it cannot be deleted.
 */
class ModelVersionImmutabilityTest {

  static JdbcTemplate jdbc;
  UUID versionId;

  @BeforeAll
  static void database() {
    jdbc = new JdbcTemplate(TestDatabase.freshDatabase());
  }

  /** A fresh snapshot, run and version per test, each with its own name so tests do not see each other's rows. */
  @BeforeEach
  void registeredVersion() {
    UUID snapshotId = UUID.randomUUID();
    UUID runId = UUID.randomUUID();
    versionId = UUID.randomUUID();
    jdbc.update("""
        INSERT INTO medpipe.dataset_snapshot (id, features, classes, class_counts, row_count, content_hash,
                                              source_spec_hash)
        VALUES (?, '[]'::jsonb, '["fabry","none"]'::jsonb, '{"fabry":1,"none":1}'::jsonb, 2, 'dhash', 'shash')""",
        snapshotId);
    jdbc.update("""
        INSERT INTO medpipe.training_run (id, snapshot_id, algorithm, params, seed, target_class, test_rows,
                                          model_uri, model_sha256, train_seconds)
        VALUES (?, ?, 'RANDOM_FOREST', '{"trees":200}'::jsonb, 42, 'fabry', '{1}', 'file:///artifacts/model.bin',
                'msha', 0.5)""",
        runId, snapshotId);
    jdbc.update("""
        INSERT INTO medpipe.model_version (id, name, version, training_run_id, snapshot_id, dataset_hash, algorithm,
                                           params, metrics, artifact_uri, artifact_sha256)
        VALUES (?, ?, 1, ?, ?, 'dhash', 'RANDOM_FOREST', '{"trees":200}'::jsonb, '{"auc":0.91}'::jsonb,
                'file:///artifacts/model.bin', 'asha')""",
        versionId, "fabry-" + versionId, runId, snapshotId);
  }

  Map<String, Object> row() {
    return jdbc.queryForMap("SELECT stage, metrics::text AS metrics, artifact_sha256 FROM medpipe.model_version"
        + " WHERE id = ?", versionId);
  }

  @Test
  void allowsTheStageToChange() {
    int updated = jdbc.update("UPDATE medpipe.model_version SET stage = 'STAGING' WHERE id = ?", versionId);

    assertThat(updated).isOne();
    assertThat(row()).containsEntry("stage", "STAGING");
  }

  @Test
  void refusesChangedMetrics() {
    assertThatThrownBy(() -> jdbc.update(
        "UPDATE medpipe.model_version SET metrics = '{\"auc\":0.99}'::jsonb WHERE id = ?", versionId))
        .isInstanceOf(DataAccessException.class).hasMessageContaining("immutable");
    assertThat(row()).containsEntry("metrics", "{\"auc\": 0.91}");
  }

  @Test
  void refusesAChangedArtifactChecksum() {
    assertThatThrownBy(() -> jdbc.update(
        "UPDATE medpipe.model_version SET artifact_sha256 = 'forged' WHERE id = ?", versionId))
        .isInstanceOf(DataAccessException.class).hasMessageContaining("immutable");
    assertThat(row()).containsEntry("artifact_sha256", "asha");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "name = 'renamed'", "version = 2", "dataset_hash = 'other'", "algorithm = 'LOGISTIC'",
      "params = '{\"trees\":1}'::jsonb", "artifact_uri = 'file:///elsewhere.bin'", "git_commit = 'abc123'",
      "process_instance_id = 'pi-1'", "created_at = created_at - interval '1 day'"})
  void refusesAChangeToAnyOtherRegisteredColumn(String assignment) {
    assertThatThrownBy(() -> jdbc.update("UPDATE medpipe.model_version SET " + assignment + " WHERE id = ?",
        versionId)).isInstanceOf(DataAccessException.class).hasMessageContaining("immutable");
  }

  @Test
  void refusesAStageChangeThatSmugglesInAnotherChange() {
    assertThatThrownBy(() -> jdbc.update(
        "UPDATE medpipe.model_version SET stage = 'PRODUCTION', artifact_sha256 = 'forged' WHERE id = ?", versionId))
        .isInstanceOf(DataAccessException.class).hasMessageContaining("immutable");
    assertThat(row()).containsEntry("stage", "NONE").containsEntry("artifact_sha256", "asha");
  }

  @Test
  void allowsAnUpdateThatWritesTheSameValues() {
    // IS DISTINCT FROM compares values, so re-writing a column unchanged is not a change
    assertThat(jdbc.update("UPDATE medpipe.model_version SET metrics = metrics, stage = 'ARCHIVED' WHERE id = ?",
        versionId)).isOne();
  }

  @Test
  void leavesTheRowInPlaceOnDelete() {
    int deleted = jdbc.update("DELETE FROM medpipe.model_version WHERE id = ?", versionId);

    assertThat(deleted).isZero();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.model_version WHERE id = ?", Integer.class,
        versionId)).isOne();
  }
}
