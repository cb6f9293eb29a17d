/**
 * The pipeline as the engine runs it: the names shared by {@code processes/} and Java ({@link
 * io.medpipe.pipeline.ProcessConstants}), the typed view of a run's variables at the worker edge ({@link
 * io.medpipe.pipeline.RunContext}), the deployment of {@code processes/}, the engine's configuration and plugins, the
 * groups and authorizations it needs ({@link io.medpipe.pipeline.IdentitySetup}), the listener that turns the
 * clinical-validation decision into a verdict, and the three ways a run starts: by hand, on schedule ({@link
 * io.medpipe.pipeline.PipelineSchedule}) and from Alertmanager's webhook ({@link io.medpipe.pipeline.RetrainTrigger}).
 * The stage contracts are in docs/pipeline.md. The steps' work is done by the handlers in {@code io.medpipe.workers}.
 */
package io.medpipe.pipeline;
