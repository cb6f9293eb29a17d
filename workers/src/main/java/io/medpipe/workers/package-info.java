/**
 * The workers: one thin handler per external-task topic of {@code processes/} ("what each box in the diagram
 * does"). A handler reads its ids through {@link io.medpipe.pipeline.RunContext}, calls one service of the feature
 * that owns the work and completes with a few variables; {@code Worker} turns failures into readable incidents and
 * business outcomes into BPMN errors. The variables each topic reads and writes: docs/pipeline.md.
 */
package io.medpipe.workers;
