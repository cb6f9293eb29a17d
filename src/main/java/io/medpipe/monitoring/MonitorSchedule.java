package io.medpipe.monitoring;

import io.medpipe.pipeline.ProcessConstants;
import io.medpipe.pipeline.ProcessDeployer;
import io.medpipe.system.EngineRole;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.management.JobDefinition;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The monitor's schedule, read by the timer start event of processes/monitoring.bpmn
 * ({@code ${monitorSchedule.cycle}}). While scheduling is off (the default) the timer's job definition is suspended,
 * so Cockpit shows the timer as suspended rather than a schedule that silently never fires.
 */
@EngineRole
@Component("monitorSchedule")
@Order(ProcessDeployer.ORDER + 1)
public class MonitorSchedule implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(MonitorSchedule.class);

  private final MonitoringProperties settings;
  private final RepositoryService repository;
  private final ManagementService management;

  MonitorSchedule(MonitoringProperties settings, RepositoryService repository, ManagementService management) {
    this.settings = settings;
    this.repository = repository;
    this.management = management;
  }

  /** A Quartz-style cron expression as Camunda's timer cycle understands it. */
  public String getCycle() {
    return settings.scheduleCron();
  }

  @Override
  public void run(ApplicationArguments args) {
    ProcessDefinition latest = repository.createProcessDefinitionQuery()
        .processDefinitionKey(ProcessConstants.PROCESS_MONITORING).latestVersion().singleResult();
    if (latest == null) {
      return;
    }
    for (JobDefinition timer : management.createJobDefinitionQuery().processDefinitionId(latest.getId())
        .jobType("timer-start-event").list()) {
      if (settings.scheduleEnabled() && timer.isSuspended()) {
        management.activateJobDefinitionById(timer.getId(), true);
      } else if (!settings.scheduleEnabled() && !timer.isSuspended()) {
        management.suspendJobDefinitionById(timer.getId(), true);
      }
    }
    log.info("Scheduled drift monitoring is {} (cron {})", settings.scheduleEnabled() ? "on" : "off",
        settings.scheduleCron());
  }
}
