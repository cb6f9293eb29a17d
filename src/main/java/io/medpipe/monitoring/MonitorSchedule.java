package io.medpipe.monitoring;

import io.medpipe.pipeline.ProcessConstants;
import io.medpipe.pipeline.ProcessDeployer;
import io.medpipe.pipeline.TimerStartSchedule;
import io.medpipe.system.EngineRole;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** The monitor's schedule, read by the timer start event of processes/monitoring.bpmn ({@code ${monitorSchedule.cycle}}). */
@EngineRole
@Component("monitorSchedule")
@Order(ProcessDeployer.ORDER + 1)
public class MonitorSchedule extends TimerStartSchedule {

  MonitorSchedule(MonitoringProperties settings, RepositoryService repository, ManagementService management) {
    super(ProcessConstants.PROCESS_MONITORING, "drift monitoring", settings.scheduleEnabled(), settings.scheduleCron(),
        repository, management);
  }
}
