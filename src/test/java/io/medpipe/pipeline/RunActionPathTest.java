package io.medpipe.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.camunda.bpm.engine.externaltask.ExternalTask;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an alert's run does, on the real engine and PostgreSQL: the webhook passes the alerts' action, RecordRunOrigin
 * records recalibrate only when the monitor run behind the alert decided so too, and Develop's first gateway reads the
 * record: a recalibration waits at "Re-base the champion to the new prior", a retraining at "Extract EHR data".
 */
class RunActionPathTest {

  @BeforeAll
  static void startEngine() {
    RetrainCoolDownTest.startEngine();
  }

  @AfterAll
  static void stopEngine() {
    RetrainCoolDownTest.stopEngine();
  }

  @AfterEach
  void cancelRuns() {
    new RetrainCoolDownTest().cancelRuns();
  }

  /** The first step the run's Develop waits at, and the run's recorded action. */
  private static String[] firstStep(String requested) {
    RetrainTrigger trigger = RetrainCoolDownTest.trigger(Duration.ZERO);
    String group = "alert-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    RetrainTrigger.Result result = trigger.requestRetrain(group, group, List.of("MedpipePrevalenceShift"),
        OffsetDateTime.now(ZoneOffset.UTC), requested);
    ProcessInstance develop = RetrainCoolDownTest.runtime.createProcessInstanceQuery()
        .superProcessInstanceId(result.processInstanceId()).singleResult();
    ExternalTask task = RetrainCoolDownTest.testEngine.engine().getExternalTaskService().createExternalTaskQuery()
        .processInstanceId(develop.getId()).singleResult();
    return new String[] {task.getActivityId(), result.origin().orElseThrow().action(),
        String.valueOf(RetrainCoolDownTest.runtime.getVariable(result.processInstanceId(),
            ProcessConstants.VAR_RUN_ACTION))};
  }

  @Test
  void aRecalibrationAlertBehindARecalibrateVerdictTakesTheRecalibrationPath() {
    UUID champion = RetrainCoolDownTest.champion();
    monitorRun(champion, "recalibrate", Instant.now().minusSeconds(60));
    assertThat(firstStep("recalibrate")).containsExactly("recalibrate-model", "recalibrate", "recalibrate");
  }

  @Test
  void aRecalibrationAlertWhoseLatestMonitorRunSaidRetrainRetrains() {
    UUID champion = RetrainCoolDownTest.champion();
    monitorRun(champion, "recalibrate", Instant.now().minusSeconds(600));
    monitorRun(champion, "retrain", Instant.now().minusSeconds(60));
    assertThat(firstStep("recalibrate")).containsExactly("extract-data", "retrain", "retrain");
  }

  @Test
  void aRetrainAlertRetrainsEvenBehindARecalibrateVerdict() {
    UUID champion = RetrainCoolDownTest.champion();
    monitorRun(champion, "recalibrate", Instant.now().minusSeconds(60));
    assertThat(firstStep("retrain")).containsExactly("extract-data", "retrain", "retrain");
  }

  @Test
  void aRecalibrationAlertWithoutAMonitorRunRetrains() {
    RetrainCoolDownTest.champion();
    assertThat(firstStep("recalibrate")).containsExactly("extract-data", "retrain", "retrain");
  }

  private static void monitorRun(UUID version, String action, Instant finished) {
    UUID report = UUID.randomUUID();
    RetrainCoolDownTest.jdbc.update("INSERT INTO medpipe.report (id, kind, body) VALUES (?, 'drift', '{}'::jsonb)",
        report);
    RetrainCoolDownTest.jdbc.update("""
        INSERT INTO medpipe.monitor_run (id, created_at, finished_at, trigger, status, outcome, model_version_id,
          report_id, action, signals) VALUES (?, ?, ?, 'schedule', 'done', 'analysed', ?, ?, ?, '[]'::jsonb)""",
        UUID.randomUUID(), java.sql.Timestamp.from(finished.minusSeconds(5)), java.sql.Timestamp.from(finished),
        version, report, action);
  }
}
