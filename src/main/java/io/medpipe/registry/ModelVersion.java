package io.medpipe.registry;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * A registered, immutable model version with its lineage: the run and snapshot it came from, the code version,
 * the process instance that produced it, and where its artifact is (with the checksum every load verifies).
 * Only {@code stage} changes over its life.
 */
public record ModelVersion(UUID id, String name, int version, UUID trainingRunId, UUID snapshotId,
                           String datasetHash, String algorithm, Map<String, Object> params,
                           Map<String, Object> metrics, String artifactUri, String artifactSha256, String gitCommit,
                           String processInstanceId, OffsetDateTime createdAt, Stage stage) {

  /** Where a version is in its life. */
  public enum Stage { NONE, STAGING, PRODUCTION, ARCHIVED, REJECTED }

  /** "fabry-random_forest v3". */
  public String label() {
    return name + " v" + version;
  }
}
