/**
 * Model artifacts: write-once objects in a directory or a Google Cloud Storage bucket, addressed by URI and verified
 * by SHA-256 on every read ({@link io.medpipe.artifact.ArtifactStore}), the one place medpipe computes an artifact's
 * checksum. Training stores a run's model here once, under its checksum; the registry's versions point at the same
 * artifact.
 */
package io.medpipe.artifact;
