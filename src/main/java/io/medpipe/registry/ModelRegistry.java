package io.medpipe.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import io.medpipe.artifact.ArtifactStore;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.system.Json;
import io.medpipe.training.TrainingRun;
import io.medpipe.training.TrainingRuns;
import io.medpipe.training.model.Classifier;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.GitProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The model registry: immutable versions in PostgreSQL (a trigger refuses any change but the stage), and a stage
 * history of who moved which version where. A version's artifact is its training run's model in the
 * {@link ArtifactStore}, stored once by the run and verified by its SHA-256 on every load. Beside it the version keeps
 * the reference profile of its held-out evaluation rows (aggregates only, for the monitor), with the SHA-256 of the
 * profile's canonical JSON, verified on every read like the artifact.
 */
@Service
public class ModelRegistry {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final JdbcTemplate jdbc;
  private final Json json;
  private final ArtifactStore artifacts;
  private final TrainingRuns training;
  private final SnapshotStore snapshots;
  private final String gitCommit;
  private final VersionProfiler profiler;

  public ModelRegistry(JdbcTemplate jdbc, Json json, ArtifactStore artifacts, TrainingRuns training,
                       SnapshotStore snapshots, ObjectProvider<GitProperties> git, VersionProfiler profiler) {
    this.jdbc = jdbc;
    this.profiler = profiler;
    this.json = json;
    this.artifacts = artifacts;
    this.training = training;
    this.snapshots = snapshots;
    GitProperties props = git.getIfAvailable();
    this.gitCommit = props == null ? null : props.getCommitId();
  }

  /** Registers an evaluated training run as the next version of its model name. */
  @Transactional
  public ModelVersion register(UUID trainingRunId, String processInstanceId) {
    TrainingRun run = training.find(trainingRunId);
    if (run.metrics() == null) {
      throw new IllegalStateException(
          "training run " + trainingRunId + " has not been evaluated; register after evaluation");
    }
    String name = (run.targetClass() + "-" + run.algorithm()).toLowerCase(Locale.ROOT);
    // serialise version numbering per name: concurrent registrations get distinct numbers
    jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext(?))", "model_version:" + name);
    Integer last = jdbc.queryForObject("SELECT max(version) FROM medpipe.model_version WHERE name = ?", Integer.class,
        name);
    int version = last == null ? 1 : last + 1;
    // the run's model, verified now rather than at the first deployment; the version points at the same artifact
    Classifier model = Classifier.fromBytes(artifacts.get(run.modelUri(), run.modelSha256()));
    String profileJson = referenceProfileOf(run, model);
    UUID id = UUID.randomUUID();
    jdbc.update("""
        INSERT INTO medpipe.model_version (id, name, version, training_run_id, snapshot_id, dataset_hash, algorithm,
          params, metrics, artifact_uri, artifact_sha256, git_commit, process_instance_id, reference_profile,
          reference_profile_sha256, parent_version_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""",
        id, name, version, trainingRunId, run.snapshotId(), snapshots.find(run.snapshotId()).contentHash(),
        run.algorithm(), json.write(run.params()), json.write(run.metrics()), run.modelUri(), run.modelSha256(),
        gitCommit, processInstanceId, profileJson, sha256(profileJson), parentOf(run));
    recordStage(id, ModelVersion.Stage.NONE, "medpipe", processInstanceId);
    return find(id).orElseThrow();
  }

  /**
   * The version a run was derived from: a recalibrated run names it in its params ({@code recalibration.
   * parentVersionId}); null for a run trained from data.
   */
  private static UUID parentOf(TrainingRun run) {
    if (run.params() != null && run.params().get("recalibration") instanceof Map<?, ?> r
        && r.get("parentVersionId") != null) {
      return UUID.fromString(String.valueOf(r.get("parentVersionId")));
    }
    return null;
  }

  /** The version this one was derived from (a recalibration's champion), if any. */
  public Optional<UUID> parentVersionId(UUID versionId) {
    return jdbc.queryForList("SELECT parent_version_id FROM medpipe.model_version WHERE id = ?", UUID.class,
        versionId).stream().filter(java.util.Objects::nonNull).findFirst();
  }

  /** The profile of the run's held-out rows: the rows its evaluation used, never the training rows. */
  private String referenceProfileOf(TrainingRun run, Classifier model) {
    FeatureTable table = snapshots.table(run.snapshotId());
    return profiler.profileJson(model, table.subset(run.testRows()));
  }

  /** A version's stored reference profile (its canonical JSON, verified) and its recorded checksum. */
  public record StoredProfile(String json, String sha256) {}

  /**
   * The version's reference profile, its canonical JSON checked against the recorded SHA-256; empty for a version
   * registered before profiles existed.
   *
   * @throws IllegalArgumentException if there is no such version
   * @throws ArtifactStore.IntegrityException if the stored profile does not match its checksum
   */
  public Optional<StoredProfile> referenceProfile(UUID versionId) {
    List<Map<String, Object>> rows = jdbc.queryForList("SELECT reference_profile, reference_profile_sha256"
        + " FROM medpipe.model_version WHERE id = ?", versionId);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no model version " + versionId);
    }
    String stored = (String) rows.get(0).get("reference_profile");
    String recorded = (String) rows.get(0).get("reference_profile_sha256");
    if (stored == null) {
      return Optional.empty();
    }
    String actual = sha256(stored);
    if (!actual.equals(recorded)) {
      throw new ArtifactStore.IntegrityException("the reference profile of model version " + versionId
          + " does not match its recorded SHA-256 (recorded " + recorded + ", found " + actual + ")");
    }
    return Optional.of(new StoredProfile(stored, recorded));
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Optional<ModelVersion> find(UUID id) {
    return jdbc.query("SELECT * FROM medpipe.model_version WHERE id = ?", mapper(), id).stream().findFirst();
  }

  public ModelVersion get(UUID id) {
    return find(id).orElseThrow(() -> new IllegalArgumentException("no model version " + id));
  }

  /** Loads the version's artifact, verifying its SHA-256 before deserialising anything. */
  public Classifier load(ModelVersion version) {
    return Classifier.fromBytes(artifacts.get(version.artifactUri(), version.artifactSha256()));
  }

  /** Moves a version to a stage; promoting to PRODUCTION archives the version that held it. */
  @Transactional
  public void setStage(UUID id, ModelVersion.Stage stage, String actor, String processInstanceId) {
    if (stage == ModelVersion.Stage.PRODUCTION) {
      List<UUID> current = jdbc.queryForList(
          "SELECT id FROM medpipe.model_version WHERE stage = 'PRODUCTION' AND id <> ?", UUID.class, id);
      for (UUID old : current) {
        jdbc.update("UPDATE medpipe.model_version SET stage = 'ARCHIVED' WHERE id = ?", old);
        recordStage(old, ModelVersion.Stage.ARCHIVED, actor, processInstanceId);
      }
    }
    if (jdbc.update("UPDATE medpipe.model_version SET stage = ? WHERE id = ?", stage.name(), id) == 0) {
      throw new IllegalArgumentException("no model version " + id);
    }
    recordStage(id, stage, actor, processInstanceId);
  }

  public Optional<ModelVersion> production() {
    return jdbc.query("SELECT * FROM medpipe.model_version WHERE stage = 'PRODUCTION'", mapper()).stream().findFirst();
  }

  /** The stage history of a version, oldest first: stage, time, actor, process instance. */
  public List<Map<String, Object>> history(UUID id) {
    return jdbc.queryForList("SELECT stage, at, actor, process_instance_id FROM medpipe.model_stage_event "
        + "WHERE model_version_id = ? ORDER BY id", id);
  }

  private void recordStage(UUID id, ModelVersion.Stage stage, String actor, String processInstanceId) {
    jdbc.update(
        "INSERT INTO medpipe.model_stage_event (model_version_id, stage, actor, process_instance_id) VALUES (?, ?, ?, ?)",
        id, stage.name(), actor, processInstanceId);
  }

  private RowMapper<ModelVersion> mapper() {
    return (rs, i) -> new ModelVersion(rs.getObject("id", UUID.class), rs.getString("name"), rs.getInt("version"),
        rs.getObject("training_run_id", UUID.class), rs.getObject("snapshot_id", UUID.class),
        rs.getString("dataset_hash"), rs.getString("algorithm"), json.read(rs.getString("params"), MAP),
        json.read(rs.getString("metrics"), MAP), rs.getString("artifact_uri"), rs.getString("artifact_sha256"),
        rs.getString("git_commit"), rs.getString("process_instance_id"),
        rs.getObject("created_at", OffsetDateTime.class), ModelVersion.Stage.valueOf(rs.getString("stage")));
  }

}
