package io.medpipe.training;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One training of one model on one snapshot: what was trained, how, on which rows, where its model is, and (after
 * evaluation) how well it did on the rows it never saw.
 *
 * @param testRows    row numbers of the snapshot held out for evaluation
 * @param modelUri    the model's artifact in the artifact store, addressed by its SHA-256
 * @param modelSha256 the checksum every read of the model is verified against
 * @param metrics     evaluation results as stored JSON, null until evaluated
 */
public record TrainingRun(UUID id, UUID snapshotId, OffsetDateTime createdAt, String algorithm,
                          Map<String, Object> params, long seed, String targetClass, int[] testRows,
                          String modelUri, String modelSha256, double trainSeconds, Map<String, Object> metrics,
                          String processInstanceId) {}
