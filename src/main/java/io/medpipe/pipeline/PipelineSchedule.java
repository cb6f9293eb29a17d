package io.medpipe.pipeline;

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
 * The retraining schedule read by the timer start event of pipeline-schedule ({@code ${pipelineSchedule.cycle}}).
 * When scheduling is off (the default) the timer's job definition is suspended, so Cockpit shows it as
 * suspended instead of silently never firing.
 */
@EngineRole
@Component("pipelineSchedule")
@Order(ProcessDeployer.ORDER + 1)
public class PipelineSchedule implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(PipelineSchedule.class);

  private final PipelineProperties settings;
  private final RepositoryService repository;
  private final ManagementService management;

  PipelineSchedule(PipelineProperties settings, RepositoryService repository, ManagementService management) {
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
        .processDefinitionKey(ProcessConstants.PROCESS_SCHEDULE).latestVersion().singleResult();
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
    log.info("Scheduled retraining is {} (cron {})", settings.scheduleEnabled() ? "on" : "off",
        settings.scheduleCron());
  }
}
