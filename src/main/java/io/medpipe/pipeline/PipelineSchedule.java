package io.medpipe.pipeline;

import io.medpipe.system.EngineRole;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** The retraining schedule read by the timer start event of pipeline-schedule ({@code ${pipelineSchedule.cycle}}). */
@EngineRole
@Component("pipelineSchedule")
@Order(ProcessDeployer.ORDER + 1)
public class PipelineSchedule extends TimerStartSchedule {

  PipelineSchedule(PipelineProperties settings, RepositoryService repository, ManagementService management) {
    super(ProcessConstants.PROCESS_SCHEDULE, "retraining", settings.scheduleEnabled(), settings.scheduleCron(),
        repository, management);
  }
}
