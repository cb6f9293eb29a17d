package io.medpipe.training;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One training of one model on one snapshot: what was trained, how, on which rows, and (after evaluation) how
 * well it did on the rows it never saw.
 *
 * @param testRows row numbers of the snapshot held out for evaluation
 * @param metrics  evaluation results as stored JSON, null until evaluated
 */
public record TrainingRun(UUID id, UUID snapshotId, OffsetDateTime createdAt, String algorithm,
                          Map<String, Object> params, long seed, String targetClass, int[] testRows,
                          String modelSha256, double trainSeconds, Map<String, Object> metrics,
                          String processInstanceId) {}
