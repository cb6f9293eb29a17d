package io.medpipe.pipeline;

import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.management.JobDefinition;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * A process's schedule: the cron expression its timer start event reads ({@code ${<bean name>.cycle}}) and the switch
 * that turns it on. While scheduling is off (the default) the timer's job definition is suspended, so Cockpit shows the
 * timer as suspended rather than a schedule that silently never fires. Subclasses name the process and the settings.
 */
public abstract class TimerStartSchedule implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(TimerStartSchedule.class);

  private final String processKey;
  private final String what;
  private final boolean enabled;
  private final String cron;
  private final RepositoryService repository;
  private final ManagementService management;

  /**
   * @param what words for the log line ("retraining", "drift monitoring")
   */
  protected TimerStartSchedule(String processKey, String what, boolean enabled, String cron,
                               RepositoryService repository, ManagementService management) {
    this.processKey = processKey;
    this.what = what;
    this.enabled = enabled;
    this.cron = cron;
    this.repository = repository;
    this.management = management;
  }

  /** A Quartz-style cron expression as Camunda's timer cycle understands it. */
  public String getCycle() {
    return cron;
  }

  @Override
  public void run(ApplicationArguments args) {
    ProcessDefinition latest = repository.createProcessDefinitionQuery().processDefinitionKey(processKey)
        .latestVersion().singleResult();
    if (latest == null) {
      return;
    }
    for (JobDefinition timer : management.createJobDefinitionQuery().processDefinitionId(latest.getId())
        .jobType("timer-start-event").list()) {
      if (enabled && timer.isSuspended()) {
        management.activateJobDefinitionById(timer.getId(), true);
      } else if (!enabled && !timer.isSuspended()) {
        management.suspendJobDefinitionById(timer.getId(), true);
      }
    }
    log.info("Scheduled {} is {} (cron {})", what, enabled ? "on" : "off", cron);
  }
}
