/**
 * Serving: the prediction API and what it serves. This feature owns the serving slots (staging, production) and the
 * deployment of a registered version into one ({@link io.medpipe.serving.DeploymentService}, {@link
 * io.medpipe.serving.ModelSlots}), request checking and encoding against the model's features, predictions with their
 * explanations, the prediction record with its audit, feedback and redactions, and {@link
 * io.medpipe.serving.ServingProbe}, which tests a deployed model through its HTTP API for the staging and smoke-test
 * steps. The API's keys, roles and security filters are in the sub-package {@code security}, internal to this
 * feature. Serving reads models through {@code training.model} and versions through the registry; nothing here
 * writes a model.
 */
package io.medpipe.serving;
