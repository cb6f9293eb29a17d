/**
 * Data sets: immutable, pseudonymised snapshots identified by id and content hash ({@link
 * io.medpipe.dataset.SnapshotStore}), their features as clinicians know them, the in-memory {@link
 * io.medpipe.dataset.FeatureTable} training and serving read, the exploratory analysis with its HTML report, the
 * pipeline's reports ({@code /api/v1/reports}), and the CSV/ARFF reader ({@link io.medpipe.dataset.TabularFile}) that
 * the importer and {@code medpipe evaluate} share. Nothing here identifies a person.
 */
package io.medpipe.dataset;
