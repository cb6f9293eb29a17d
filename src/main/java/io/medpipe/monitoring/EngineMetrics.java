package io.medpipe.monitoring;

import io.medpipe.system.EngineRole;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Camunda 7 has no Micrometer binding, so the engine figures operators alert on are bound here: running
 * pipeline instances, open incidents, open user tasks and the external-task backlog. They are refreshed on a
 * schedule and cached, so a Prometheus scrape never queries the engine.
 */
@EngineRole
@Component
class EngineMetrics {

  private final RuntimeService runtime;
  private final TaskService tasks;
  private final ExternalTaskService externalTasks;
  private final AtomicLong runningInstances = new AtomicLong();
  private final AtomicLong openIncidents = new AtomicLong();
  private final AtomicLong openUserTasks = new AtomicLong();
  private final AtomicLong externalTaskBacklog = new AtomicLong();

  EngineMetrics(RuntimeService runtime, TaskService tasks, ExternalTaskService externalTasks, MeterRegistry meters) {
    this.runtime = runtime;
    this.tasks = tasks;
    this.externalTasks = externalTasks;
    Gauge.builder("medpipe.engine.process.instances.running", runningInstances, AtomicLong::get)
        .description("running process instances (all medpipe processes)").register(meters);
    Gauge.builder("medpipe.engine.incidents.open", openIncidents, AtomicLong::get)
        .description("open incidents: steps that failed after their retries").register(meters);
    Gauge.builder("medpipe.engine.user.tasks.open", openUserTasks, AtomicLong::get)
        .description("approval tasks waiting for a reviewer").register(meters);
    Gauge.builder("medpipe.engine.external.tasks.backlog", externalTaskBacklog, AtomicLong::get)
        .description("external tasks waiting for a worker (not locked)").register(meters);
  }

  @Scheduled(initialDelay = 5_000, fixedDelayString = "${medpipe.monitoring.engine-metrics-interval:PT15S}")
  void refresh() {
    runningInstances.set(runtime.createProcessInstanceQuery().count());
    openIncidents.set(runtime.createIncidentQuery().count());
    openUserTasks.set(tasks.createTaskQuery().count());
    externalTaskBacklog.set(externalTasks.createExternalTaskQuery().notLocked().count());
  }
}
