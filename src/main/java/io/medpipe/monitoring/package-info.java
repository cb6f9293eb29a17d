/**
 * Monitoring: the engine figures operators alert on, bound to Micrometer because Camunda 7 has none ({@link
 * io.medpipe.monitoring.EngineMetrics}), and, in the sub-package {@code drift}, internal to this feature, the
 * statistics that compare a window of predictions against a model version's reference profile.
 */
package io.medpipe.monitoring;
