/**
 * Drift monitoring's statistical core: a model version's {@link io.medpipe.monitoring.drift.ReferenceProfile}, and
 * {@link io.medpipe.monitoring.drift.DriftMonitor}, which compares a window of predictions against it and returns a
 * {@link io.medpipe.monitoring.drift.DriftReport}: per-feature data drift (KS / Wasserstein, chi-square /
 * Jensen-Shannon, missing rate) with Benjamini-Hochberg across features, a domain classifier, the rare class's
 * prevalence without labels (EM, BBSE), its expected recall and precision without labels (CBPE), live performance
 * from feedback with Wilson intervals, and explanation drift.
 *
 * <p>Pure Java over plain arrays: no Spring, no database, no I/O, so every statistic can be checked against a
 * reference implementation on fixed data. The rules and references are in docs/monitoring.md.
 */
package io.medpipe.monitoring.drift;
