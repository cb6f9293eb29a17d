package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.EngineRest.Answer;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.monitoring.MonitoringFixture;
import io.medpipe.monitoring.MonitoringProperties;
import io.medpipe.pipeline.RunOrigin;
import io.medpipe.pipeline.RunOrigins;
import io.medpipe.system.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Why a run started, through the running application on PostgreSQL: the Alertmanager webhook's run records the alert's
 * time, the monitor run (and drift report) whose policy asked for retraining and the champion in production; a run by
 * hand records who started it; neither an operator nor a clinician can change the reason through the engine REST API,
 * and an administrator's variable edit changes Cockpit's copy, never the record. Workers are off: the runs wait at their
 * first step.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class RunOriginIT {

  static final int PORT = TestPorts.free();
  static final String TOKEN = "run-origin-it-webhook-token";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    String dir = Files.createTempDirectory("medpipe-run-origin").toString();
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", () -> dir);
    registry.add("medpipe.cohort.patients", () -> 200);
    registry.add("medpipe.webhook.token", () -> TOKEN);
    registry.add("medpipe.worker.enabled", () -> false);
  }

  @Autowired JdbcTemplate jdbc;
  @Autowired Json json;
  @Autowired SnapshotStore snapshots;
  @Autowired MonitoringProperties settings;
  @Autowired RuntimeService runtime;
  @Autowired RunOrigins origins;
  final EngineRest rest = new EngineRest(PORT);

  UUID champion;

  @BeforeEach
  void aChampionInProduction() {
    champion = MonitoringFixture.insertSyntheticVersion(jdbc, json, snapshots, settings, 200, 0, 1.0);
    jdbc.update("UPDATE medpipe.model_version SET stage = 'ARCHIVED' WHERE stage = 'PRODUCTION'");
    jdbc.update("UPDATE medpipe.model_version SET stage = 'PRODUCTION' WHERE id = ?", champion);
  }

  @AfterEach
  void cancelRuns() {
    runtime.createProcessInstanceQuery().rootProcessInstances().list()
        .forEach(p -> runtime.deleteProcessInstance(p.getId(), "test over"));
  }

  @Test
  void anAlertStartedRunRecordsTheAlertTheDriftReportThatRaisedItAndTheChampion() throws Exception {
    Instant alertStart = Instant.now().minus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS);
    monitorRun(champion, "retrain", alertStart.minus(2, ChronoUnit.HOURS));             // an older recommendation
    UUID raising = monitorRun(champion, "retrain", alertStart.minus(10, ChronoUnit.MINUTES));
    monitorRun(champion, "none", alertStart.minus(3, ChronoUnit.MINUTES));              // quiet: not a reason
    monitorRun(UUID.fromString(otherVersion()), "retrain", alertStart.minus(1, ChronoUnit.MINUTES)); // not the champion
    monitorRun(champion, "retrain", alertStart.plus(1, ChronoUnit.HOURS));              // after the alert

    HttpResponse<String> answer = webhook("""
        {"version": "4", "groupKey": "{}:{alertname=\\"MedpipeDataDrift\\"}", "status": "firing",
         "alerts": [{"status": "firing", "labels": {"alertname": "MedpipeDataDrift", "action": "retrain"},
                     "startsAt": "%s"}]}""".formatted(alertStart));
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    JsonNode body = rest.json.readTree(answer.body());
    String run = body.path("processInstanceId").asText();

    RunOrigin origin = origins.find(run).orElseThrow();
    assertThat(origin.trigger()).isEqualTo("alert");
    assertThat(origin.alertNames()).isEqualTo("MedpipeDataDrift");
    assertThat(origin.alertGroup()).matches("alert-[0-9a-f]{16}");
    assertThat(origin.alertStartedAt().toInstant()).isEqualTo(alertStart);
    assertThat(origin.monitorRunId()).isEqualTo(raising);
    assertThat(origin.driftReportId()).isEqualTo(reportOf(raising));
    assertThat(origin.championVersionId()).isEqualTo(champion);
    assertThat(origin.startedBy()).isNull();
    // the webhook's answer and Cockpit's variables say the same
    assertThat(body.path("origin").path("driftReport").asText())
        .isEqualTo("/api/v1/monitoring/runs/" + raising + ".html");
    assertThat(body.path("origin").path("championVersionId").asText()).isEqualTo(champion.toString());
    Map<String, Object> variables = runtime.getVariables(run);
    assertThat(variables).containsEntry("championVersionId", champion.toString())
        .containsEntry("driftReportId", reportOf(raising).toString())
        .containsEntry("monitorRunId", raising.toString())
        .containsEntry("alertStartedAt", alertStart.toString());

    // a repeated notification for the group names the active run's recorded reason
    HttpResponse<String> again = webhook("""
        {"version": "4", "groupKey": "{}:{alertname=\\"MedpipeDataDrift\\"}", "status": "firing",
         "alerts": [{"status": "firing", "labels": {"alertname": "MedpipeDataDrift"}}]}""");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(rest.json.readTree(again.body()).path("origin").path("monitorRunId").asText())
        .isEqualTo(raising.toString());
  }

  @Test
  void anAlertsTimeMustBeATime() throws Exception {
    HttpResponse<String> bad = webhook("""
        {"version": "4", "groupKey": "{}:{alertname=\\"X\\"}", "status": "firing",
         "alerts": [{"status": "firing", "labels": {"alertname": "X"}, "startsAt": "Elena Huber 1958-03-02"}]}""");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
        .startsWith("application/problem+json"));
    assertThat(bad.body()).contains("alerts[0].startsAt").doesNotContain("Huber");
    assertThat(runtime.createProcessInstanceQuery().count()).isZero();
  }

  @Test
  void aRunByHandSaysSoAndWhoStartedItAndNobodyButTheRecordSaysWhy() {
    Answer started = rest.post("operator", "/engine-rest/process-definition/key/mlops-pipeline/start",
        "{\"businessKey\": \"origin-by-hand\"}");
    assertThat(started.status()).as(started.body()).isEqualTo(200);
    String run = started.json().path("id").asText();
    RunOrigin origin = origins.find(run).orElseThrow();
    assertThat(origin.trigger()).isEqualTo("manual");
    assertThat(origin.startedBy()).isEqualTo("operator");
    assertThat(origin.championVersionId()).isEqualTo(champion);
    assertThat(origin.alertGroup()).isNull();
    assertThat(origin.monitorRunId()).isNull();

    // the operator and the chief (reviewer + devops) may not edit the run's variables: refused, nothing changes
    String forged = UUID.randomUUID().toString();
    for (String user : new String[] {"operator", "chief"}) {
      for (String variable : new String[] {"trigger", "championVersionId", "driftReportId"}) {
        Answer put = rest.put(user, "/engine-rest/process-instance/" + run + "/variables/" + variable,
            "{\"value\": \"" + ("trigger".equals(variable) ? "alert" : forged) + "\", \"type\": \"String\"}");
        assertThat(put.status()).as(user + " " + variable + ": " + put.body()).isIn(403, 404);
      }
      Answer modify = rest.post(user, "/engine-rest/process-instance/" + run + "/variables",
          "{\"modifications\": {\"trigger\": {\"value\": \"schedule\", \"type\": \"String\"}}}");
      assertThat(modify.status()).as(user + ": " + modify.body()).isIn(403, 404);
    }
    assertThat(runtime.getVariable(run, "trigger")).isEqualTo("manual");
    // an administrator may edit variables (audited): Cockpit's copy changes, the record does not
    Answer admin = rest.put("admin", "/engine-rest/process-instance/" + run + "/variables/championVersionId",
        "{\"value\": \"" + forged + "\", \"type\": \"String\"}");
    assertThat(admin.status()).as(admin.body()).isEqualTo(204);
    assertThat(origins.find(run).orElseThrow()).isEqualTo(origin);
    // and the record itself is written once, even for the database's own user
    assertThatThrownBy(() -> jdbc.update("UPDATE medpipe.run_origin SET trigger = 'alert', alert_group = 'x'"
        + " WHERE run_id = ?", run)).hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.update("DELETE FROM medpipe.run_origin WHERE run_id = ?", run))
        .hasMessageContaining("append-only");
  }

  private String otherVersion() {
    return MonitoringFixture.insertSyntheticVersion(jdbc, json, snapshots, settings, 200, 0, 1.0).toString();
  }

  private UUID monitorRun(UUID version, String action, Instant finished) {
    UUID report = UUID.randomUUID();
    jdbc.update("INSERT INTO medpipe.report (id, kind, body) VALUES (?, 'drift', '{}'::jsonb)", report);
    UUID id = UUID.randomUUID();
    jdbc.update("""
        INSERT INTO medpipe.monitor_run (id, created_at, finished_at, trigger, status, outcome, model_version_id,
          report_id, action, signals) VALUES (?, ?, ?, 'schedule', 'done', 'analysed', ?, ?, ?, '[]'::jsonb)""",
        id, java.sql.Timestamp.from(finished.minusSeconds(5)), java.sql.Timestamp.from(finished), version, report,
        action);
    return id;
  }

  private UUID reportOf(UUID monitorRun) {
    return jdbc.queryForObject("SELECT report_id FROM medpipe.monitor_run WHERE id = ?", UUID.class, monitorRun);
  }

  private HttpResponse<String> webhook(String body) throws Exception {
    return rest.http.send(HttpRequest.newBuilder(URI.create(rest.base + "/api/v1/webhooks/retrain"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
