package io.medpipe.dataset;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An immutable, versioned, pseudonymised data set: what a training run was fed, identified by id and content hash.
 *
 * @param classCounts rows per class label
 * @param contentHash SHA-256 over the canonical content (features, classes, rows): same data, same hash
 */
public record Snapshot(UUID id, OffsetDateTime createdAt, List<Feature> features, List<String> classes,
                       Map<String, Integer> classCounts, int rowCount, String contentHash, String sourceSpecHash,
                       String processInstanceId) {}
