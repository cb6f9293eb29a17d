package io.medpipe.workers;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.monitoring.MonitorService;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.spring.annotation.ExternalTaskSubscription;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.springframework.stereotype.Component;

/** Topic "monitor-drift": one monitor run over the prediction log; the process gets the run, report and action. */
@Component
@ExternalTaskSubscription(TOPIC_MONITOR_DRIFT)
class MonitorDriftWorker extends Worker {

  private final MonitorService monitor;

  MonitorDriftWorker(MonitorService monitor) {
    this.monitor = monitor;
  }

  @Override
  Map<String, Object> work(ExternalTask task, ExternalTaskService service) {
    String runId = task.getVariable(VAR_MONITOR_RUN_ID);
    String versionId = task.getVariable(VAR_MODEL_VERSION_ID);
    Number last = task.getVariable(VAR_WINDOW_LAST);
    String from = task.getVariable(VAR_WINDOW_FROM);
    String to = task.getVariable(VAR_WINDOW_TO);
    String requestedBy = task.getVariable(VAR_REQUESTED_BY);
    String trigger = task.getVariable(VAR_TRIGGER);
    MonitorService.Result result = monitor.run(new MonitorService.Request(
        runId == null ? null : UUID.fromString(runId), versionId == null ? null : UUID.fromString(versionId),
        last == null ? null : last.intValue(), from == null ? null : Instant.parse(from),
        to == null ? null : Instant.parse(to),
        trigger != null ? trigger : requestedBy != null ? "manual" : "schedule", requestedBy,
        task.getProcessInstanceId()));
    Map<String, Object> variables = new HashMap<>();
    variables.put(VAR_MONITOR_RUN_ID, result.runId().toString());
    variables.put(VAR_DRIFT_REPORT_ID, result.reportId() == null ? null : result.reportId().toString());
    variables.put(VAR_MONITOR_ACTION, result.action().id());
    variables.put(VAR_MONITOR_SUMMARY, result.message());
    return variables;
  }
}
