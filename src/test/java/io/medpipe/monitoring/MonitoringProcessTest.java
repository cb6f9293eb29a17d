package io.medpipe.monitoring;

import static io.medpipe.pipeline.ProcessConstants.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.pipeline.ProcessTestEngine;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.externaltask.ExternalTask;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The business paths of processes/monitoring.bpmn, deployed from processes/ as the application deploys it, on a real
 * PostgreSQL: the timer start, a requested start (message) that carries who asked, the drift policy's three ends, and a failed run
 * that becomes an incident with the worker's readable message. The worker is played by fetching and completing its
 * external task.
 */
class MonitoringProcessTest {

  static ProcessTestEngine testEngine;
  static RuntimeService runtime;
  static ExternalTaskService externalTasks;
  static HistoryService history;
  static ManagementService management;

  @BeforeAll
  static void startEngine() {
    testEngine = ProcessTestEngine.start();
    runtime = testEngine.engine().getRuntimeService();
    externalTasks = testEngine.engine().getExternalTaskService();
    history = testEngine.engine().getHistoryService();
    management = testEngine.engine().getManagementService();
  }

  @AfterAll
  static void stopEngine() {
    testEngine.close();
  }

  /** The run's monitor task as the worker sees it: locked by the worker, with the process variables. */
  private static Locked lockMonitorTask(String processInstanceId) {
    ExternalTask waiting = externalTasks.createExternalTaskQuery().processInstanceId(processInstanceId)
        .topicName(TOPIC_MONITOR_DRIFT).singleResult();
    assertThat(waiting).as("the run waits at 'Check drift and performance'").isNotNull();
    assertThat(waiting.getActivityId()).isEqualTo("monitor-drift");
    externalTasks.lock(waiting.getId(), "test-worker", 60_000);
    return new Locked(waiting.getId(), runtime.getVariables(processInstanceId));
  }

  record Locked(String getId, Map<String, Object> getVariables) {}

  private static String endOf(String processInstanceId) {
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(processInstanceId).count()).isZero();
    return history.createHistoricActivityInstanceQuery().processInstanceId(processInstanceId)
        .activityType("noneEndEvent").singleResult().getActivityId();
  }

  @Test
  void theTimerStartsARunOnTheMonitorSchedule() {
    Job timer = management.createJobQuery().processDefinitionKey(PROCESS_MONITORING).timers().singleResult();
    assertThat(timer).as("the timer start of monitoring.bpmn is scheduled from ${monitorSchedule.cycle}").isNotNull();
    long before = runtime.createProcessInstanceQuery().processDefinitionKey(PROCESS_MONITORING).count();
    management.executeJob(timer.getId());
    List<ProcessInstance> started = runtime.createProcessInstanceQuery().processDefinitionKey(PROCESS_MONITORING)
        .list();
    assertThat(started).hasSize((int) before + 1);
    ProcessInstance run = started.stream().filter(p -> runtime.getVariable(p.getId(), VAR_REQUESTED_BY) == null)
        .findFirst().orElseThrow();
    Locked task = lockMonitorTask(run.getId());
    assertThat(task.getVariables()).doesNotContainKey(VAR_REQUESTED_BY);
    externalTasks.complete(task.getId(), "test-worker", Map.of(VAR_MONITOR_ACTION, "none"));
    assertThat(endOf(run.getId())).isEqualTo("nothing-urgent");
  }

  private static ProcessInstance request(Map<String, Object> variables) {
    return runtime.createMessageCorrelation(MESSAGE_MONITOR_RUN_REQUESTED).setVariables(variables)
        .correlateStartMessage();
  }

  @Test
  void aRequestedRunCarriesWhoAskedAndEndsRetrainingRecommendedWhenThePolicySaysSo() {
    ProcessInstance run = request(Map.of(VAR_REQUESTED_BY, "olga", VAR_WINDOW_LAST, 2000));
    assertThat(run.getProcessDefinitionId()).startsWith(PROCESS_MONITORING + ":");
    Locked task = lockMonitorTask(run.getId());
    assertThat(task.getVariables()).containsEntry(VAR_REQUESTED_BY, "olga").containsEntry(VAR_WINDOW_LAST, 2000);
    externalTasks.complete(task.getId(), "test-worker", Map.of(VAR_MONITOR_ACTION, MONITOR_ACTION_RETRAIN,
        VAR_DRIFT_REPORT_ID, "r-1", VAR_MONITOR_SUMMARY, "2 of 19 features drifted"));
    assertThat(endOf(run.getId())).isEqualTo("retraining-recommended");
  }

  @Test
  void aPageEndsAtAPersonMustLookAndAWarningIsQuiet() {
    ProcessInstance paged = request(Map.of());
    externalTasks.complete(lockMonitorTask(paged.getId()).getId(), "test-worker",
        Map.of(VAR_MONITOR_ACTION, MONITOR_ACTION_PAGE));
    assertThat(endOf(paged.getId())).isEqualTo("person-paged");

    ProcessInstance warned = request(Map.of());
    externalTasks.complete(lockMonitorTask(warned.getId()).getId(), "test-worker",
        Map.of(VAR_MONITOR_ACTION, "warn"));
    assertThat(endOf(warned.getId())).isEqualTo("nothing-urgent");
  }

  @Test
  void aFailedRunBecomesAnIncidentWithTheWorkersMessage() {
    ProcessInstance run = request(Map.of(VAR_MODEL_VERSION_ID, "00000000-0000-0000-0000-000000000001"));
    Locked task = lockMonitorTask(run.getId());
    externalTasks.handleFailure(task.getId(), "test-worker",
        "modelVersionId: no model version 00000000-0000-0000-0000-000000000001", "details", 0, 0);
    Incident incident = runtime.createIncidentQuery().processInstanceId(run.getId()).singleResult();
    assertThat(incident).isNotNull();
    assertThat(incident.getActivityId()).isEqualTo(TOPIC_MONITOR_DRIFT);
    assertThat(incident.getIncidentMessage()).isEqualTo(
        "modelVersionId: no model version 00000000-0000-0000-0000-000000000001");
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(run.getId()).count()).isOne();
  }
}
