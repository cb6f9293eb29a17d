package io.medpipe.workers;

import io.medpipe.system.WorkerProperties;
import org.camunda.bpm.client.ExternalTaskClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Starts fetching external tasks once the application is ready (the engine's REST API is then listening, also
 * when it is this very process) and stops before the context closes. A process with
 * {@code medpipe.worker.enabled=false} hosts the engine but leaves the work to worker-only processes.
 */
@Component
class WorkerClientLifecycle {

  private static final Logger log = LoggerFactory.getLogger(WorkerClientLifecycle.class);

  private final ExternalTaskClient client;
  private final boolean enabled;

  WorkerClientLifecycle(ExternalTaskClient client, WorkerProperties worker) {
    this.client = client;
    this.enabled = worker.enabled();
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    if (enabled) {
      client.start();
      log.info("External-task workers started");
    } else {
      log.info("External-task workers disabled in this process (medpipe.worker.enabled=false)");
    }
  }

  @EventListener(ContextClosedEvent.class)
  void stop() {
    if (client.isActive()) {
      client.stop();
    }
  }
}
