package io.medpipe.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.monitoring.MonitoringFixture;
import io.medpipe.monitoring.MonitoringProperties;
import io.medpipe.pipeline.RetrainTrigger.Outcome;
import io.medpipe.pipeline.RetrainTrigger.Result;
import io.medpipe.system.Json;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The retrain cool-down per champion, on the real engine and PostgreSQL: after an alert started a run for the version
 * in production, an alert of another group for the same version starts none until the cool-down ends, and the refusal
 * is audited; a new champion has a cool-down of its own; a cool-down of zero is off.
 */
class RetrainCoolDownTest {

  static ProcessTestEngine testEngine;
  static JdbcTemplate jdbc;
  static RuntimeService runtime;
  static Json json = new Json(new ObjectMapper().findAndRegisterModules());

  @BeforeAll
  static void startEngine() {
    testEngine = ProcessTestEngine.start();
    jdbc = new JdbcTemplate(testEngine.dataSource());
    runtime = testEngine.engine().getRuntimeService();
  }

  @AfterAll
  static void stopEngine() {
    testEngine.close();
  }

  @AfterEach
  void cancelRuns() {
    for (ProcessInstance p : runtime.createProcessInstanceQuery().rootProcessInstances().list()) {
      runtime.deleteProcessInstance(p.getId(), "test over", true, true, true);
    }
  }

  static RetrainTrigger trigger(Duration coolDown) {
    return new RetrainTrigger(runtime, jdbc, new TransactionTemplate(new DataSourceTransactionManager(
        testEngine.dataSource())), new RunOrigins(jdbc), new WebhookProperties("token", coolDown));
  }

  static UUID champion() {
    UUID version = MonitoringFixture.insertSyntheticVersion(jdbc, json, new SnapshotStore(jdbc, json),
        MonitoringProperties.defaults(), 200, 0, 1.0);
    jdbc.update("UPDATE medpipe.model_version SET stage = 'ARCHIVED' WHERE stage = 'PRODUCTION'");
    jdbc.update("UPDATE medpipe.model_version SET stage = 'PRODUCTION' WHERE id = ?", version);
    return version;
  }

  static Result alert(RetrainTrigger trigger, String group, String name) {
    return trigger.requestRetrain(group, group, List.of(name), null);
  }

  @Test
  void aSecondAlertGroupForTheSameChampionIsRefusedUntilTheCoolDownEndsAndTheRefusalIsAudited() {
    UUID champion = champion();
    RetrainTrigger trigger = trigger(Duration.ofHours(24));
    OffsetDateTime before = OffsetDateTime.now();

    Result first = alert(trigger, "alert-00000000000000a1", "MedpipeDataDrift");
    assertThat(first.outcome()).isEqualTo(Outcome.STARTED);
    assertThat(first.coolDownUntil()).isAfter(before.plusHours(23)).isBefore(OffsetDateTime.now().plusHours(24)
        .plusMinutes(1));

    Result second = alert(trigger, "alert-00000000000000b2", "MedpipeEstimatedRecallBelowBound");
    assertThat(second.outcome()).isEqualTo(Outcome.COOLING_DOWN);
    assertThat(second.processInstanceId()).isEqualTo(first.processInstanceId());
    assertThat(second.businessKey()).isEqualTo("alert-00000000000000a1");
    assertThat(second.coolDownUntil()).isEqualTo(first.coolDownUntil());
    assertThat(second.origin().orElseThrow().championVersionId()).isEqualTo(champion);
    assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(ProcessConstants.PROCESS_PIPELINE)
        .count()).isEqualTo(1);

    Map<String, Object> audit = jdbc.queryForMap("SELECT actor, operation, run_id, outcome, detail"
        + " FROM medpipe.run_audit ORDER BY id DESC LIMIT 1");
    assertThat(audit).containsEntry("actor", "alertmanager").containsEntry("operation", "retrain request")
        .containsEntry("run_id", first.processInstanceId()).containsEntry("outcome", "refused");
    assertThat((String) audit.get("detail")).contains(champion.toString(), "cool-down", "alert-00000000000000b2",
        "MedpipeEstimatedRecallBelowBound");

    // the first group repeating while its run is active is the older answer, not a refusal
    assertThat(alert(trigger, "alert-00000000000000a1", "MedpipeDataDrift").outcome())
        .isEqualTo(Outcome.ALREADY_RUNNING);

    // the run ended (say, rejected at validation) and the champion still alerts: still cooling down
    runtime.deleteProcessInstance(first.processInstanceId(), "rejected", true, true, true);
    assertThat(alert(trigger, "alert-00000000000000a1", "MedpipeDataDrift").outcome())
        .isEqualTo(Outcome.COOLING_DOWN);
  }

  @Test
  void aNewChampionHasACoolDownOfItsOwn() {
    champion();
    RetrainTrigger trigger = trigger(Duration.ofHours(24));
    assertThat(alert(trigger, "alert-00000000000000c3", "MedpipeDataDrift").outcome()).isEqualTo(Outcome.STARTED);
    cancelRuns();
    UUID next = champion();
    Result started = alert(trigger, "alert-00000000000000d4", "MedpipeDataDrift");
    assertThat(started.outcome()).isEqualTo(Outcome.STARTED);
    assertThat(started.origin().orElseThrow().championVersionId()).isEqualTo(next);
  }

  @Test
  void aCoolDownOfZeroIsOff() {
    champion();
    RetrainTrigger trigger = trigger(Duration.ZERO);
    Result first = alert(trigger, "alert-00000000000000e5", "MedpipeDataDrift");
    assertThat(first.outcome()).isEqualTo(Outcome.STARTED);
    assertThat(first.coolDownUntil()).isNull();
    assertThat(alert(trigger, "alert-00000000000000f6", "MedpipePrevalenceShift").outcome())
        .isEqualTo(Outcome.STARTED);
  }
}
