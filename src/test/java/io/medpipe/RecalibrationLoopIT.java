package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.ReportStore;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.DriftScenario;
import io.medpipe.monitoring.DriftPolicy.Action;
import io.medpipe.monitoring.MonitorService;
import io.medpipe.monitoring.MonitoringFixture;
import io.medpipe.pipeline.ProcessConstants;
import io.medpipe.pipeline.RunOrigin;
import io.medpipe.pipeline.RunOrigins;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.system.Json;
import io.medpipe.training.TrainingRun;
import io.medpipe.training.TrainingRuns;
import io.medpipe.training.TrainingService;
import io.medpipe.training.model.Classifier;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The right action for the signal, end to end through the running application on PostgreSQL with its workers: a
 * champion trained on 20,000 patients is in production; a window where Fabry disease is three times as common
 * (DriftScenario.PREVALENCE, nothing else changed) makes the monitor's drift policy say recalibrate; the alert
 * (as Alertmanager sends it, through the webhook) starts a run recorded as a recalibration, whose Develop re-bases the
 * champion instead of extracting and training, and whose new version, with lineage to the champion, waits for the
 * Medical QA reviewers. Meanwhile another alert for the same champion is refused by the cool-down. An older population
 * (data drift) for a new champion retrains from the data stage.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class RecalibrationLoopIT {

  static final int PORT = TestPorts.free();
  static final String TOKEN = "recalibration-it-webhook-token";
  static final String ADMIN_KEY = "recalibration-it-admin-key-0123456789";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    String dir = Files.createTempDirectory("medpipe-recalibration").toString();
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", () -> dir);
    registry.add("medpipe.cohort.patients", () -> 200);
    registry.add("medpipe.webhook.token", () -> TOKEN);
    registry.add("medpipe.api.admin-key", () -> ADMIN_KEY);
  }

  @Autowired JdbcTemplate jdbc;
  @Autowired Json json;
  @Autowired SnapshotStore snapshots;
  @Autowired TrainingService training;
  @Autowired TrainingRuns trainingRuns;
  @Autowired ModelRegistry registry;
  @Autowired MonitorService monitor;
  @Autowired ReportStore reports;
  @Autowired RunOrigins origins;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  final EngineRest rest = new EngineRest(PORT);

  @AfterEach
  void cancelRuns() {
    runtime.createProcessInstanceQuery().rootProcessInstances().list()
        .forEach(p -> runtime.deleteProcessInstance(p.getId(), "test over", true, true, true));
  }

  @Test
  void aPrevalenceShiftAloneIsRecalibratedToMedicalQaAndDataDriftRetrains() throws Exception {
    long start = System.nanoTime();
    ModelVersion champion = champion();
    System.out.printf("champion %s trained and registered in %.1f s%n", champion.label(),
        (System.nanoTime() - start) / 1e9);

    // the prevalence triples, nothing else changes: the policy says recalibrate
    MonitorService.Result shifted = monitorWindow(champion, DriftScenario.PREVALENCE, 4000, 205);
    assertThat(shifted.action()).as(shifted.message()).isEqualTo(Action.RECALIBRATE);

    HttpResponse<String> answer = webhook("MedpipePrevalenceShift", "recalibrate", "prevalence-group");
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    JsonNode body = rest.json.readTree(answer.body());
    String run = body.path("processInstanceId").asText();
    assertThat(body.path("origin").path("action").asText()).isEqualTo("recalibrate");
    assertThat(body.path("coolDownUntil").asText()).isNotBlank();
    RunOrigin origin = origins.find(run).orElseThrow();
    assertThat(origin.action()).isEqualTo("recalibrate");
    assertThat(origin.monitorRunId()).isEqualTo(shifted.runId());
    assertThat(origin.championVersionId()).isEqualTo(champion.id());

    // a second alert group for the same champion meanwhile: refused by the cool-down, naming the run and its end
    HttpResponse<String> refused = webhook("MedpipeEstimatedRecallBelowBound", "retrain", "recall-group");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(200);
    JsonNode refusal = rest.json.readTree(refused.body());
    assertThat(refusal.path("status").asText()).isEqualTo("cooling-down");
    assertThat(refusal.path("processInstanceId").asText()).isEqualTo(run);
    assertThat(refusal.path("coolDownUntil").asText()).isEqualTo(body.path("coolDownUntil").asText());
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.run_audit WHERE run_id = ? AND outcome = 'refused'"
        + " AND operation = 'retrain request'", Long.class, run)).isEqualTo(1);

    Task qa = awaitMedicalQa(run);
    HistoricProcessInstance develop = history.createHistoricProcessInstanceQuery().superProcessInstanceId(run)
        .processDefinitionKey(ProcessConstants.PROCESS_DEVELOP).singleResult();
    assertThat(passed(develop.getId(), "recalibrate-model")).isTrue();
    assertThat(passed(develop.getId(), "extract-data")).isFalse();
    assertThat(passed(develop.getId(), "train-model")).isFalse();
    assertThat(passed(develop.getId(), "validate-clinical-thresholds")).isTrue();
    System.out.printf("alert to Medical QA of the recalibrated version in %.1f s%n",
        (System.nanoTime() - start) / 1e9);

    // the new version: lineage to the champion, the model card says so, the probabilities are the champion's re-based
    UUID recalibrated = jdbc.queryForObject("SELECT id FROM medpipe.model_version WHERE parent_version_id = ?",
        UUID.class, champion.id());
    assertThat(registry.parentVersionId(recalibrated)).contains(champion.id());
    assertThat(registry.parentVersionId(champion.id())).isEmpty();
    EngineRest.Answer record = rest.withKey(ADMIN_KEY, "/api/v1/models/" + recalibrated);
    assertThat(record.status()).as(record.body()).isEqualTo(200);
    assertThat(record.json().path("parentVersion").path("id").asText()).isEqualTo(champion.id().toString());
    assertThat(qa.getProcessInstanceId()).isNotNull();
    ModelVersion version = registry.get(recalibrated);
    assertThat(version.name()).isEqualTo(champion.name());
    assertThat(version.version()).isEqualTo(champion.version() + 1);
    JsonNode prevalence = reports.find(shifted.reportId()).path("body").path("report").path("prevalence");
    double from = prevalence.path("trainingPrior").asDouble();
    double to = prevalence.path("em").asDouble();
    assertThat(to).isGreaterThan(1.5 * from);
    assertThat(trainingRuns.modelCardHtml(version.trainingRunId()).orElseThrow())
        .contains("recalibrated from " + champion.label())
        .contains(String.format(java.util.Locale.ROOT, "prior of fabry %.4f -&gt; %.4f", from, to));
    Classifier before = registry.load(champion);
    Classifier after = registry.load(version);
    int fabry = before.classes().indexOf("fabry");
    double[][] rows = DriftScenario.table(DriftScenario.PREVALENCE.generate(200, 909)).x();
    for (double[] row : rows) {
      double[] p = before.predictProba(row);
      double[] expected = new double[p.length];
      double norm = 0;
      for (int c = 0; c < p.length; c++) {
        expected[c] = p[c] * (c == fabry ? to / from : (1 - to) / (1 - from));
        norm += expected[c];
      }
      double[] actual = after.predictProba(row);
      for (int c = 0; c < p.length; c++) {
        assertThat(actual[c]).isCloseTo(expected[c] / norm, within(1e-12));
      }
    }
    cancelRuns();

    // data drift for a new champion: the policy says retrain, and the run starts from the data stage
    ModelVersion next = registry.register(champion.trainingRunId(), "recalibration-it");
    registry.setStage(next.id(), ModelVersion.Stage.PRODUCTION, "test", "recalibration-it");
    MonitorService.Result older = monitorWindow(next, DriftScenario.OLDER, 3000, 206);
    assertThat(older.action()).as(older.message()).isEqualTo(Action.RETRAIN);
    HttpResponse<String> retrain = webhook("MedpipeDataDrift", "retrain", "drift-group");
    assertThat(retrain.statusCode()).as(retrain.body()).isEqualTo(202);
    String retrainRun = rest.json.readTree(retrain.body()).path("processInstanceId").asText();
    assertThat(origins.find(retrainRun).orElseThrow().action()).isEqualTo("retrain");
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    String developRetrain = null;
    while (System.nanoTime() < deadline) {
      HistoricProcessInstance d = history.createHistoricProcessInstanceQuery().superProcessInstanceId(retrainRun)
          .processDefinitionKey(ProcessConstants.PROCESS_DEVELOP).singleResult();
      if (d != null && history.createHistoricActivityInstanceQuery().processInstanceId(d.getId())
          .activityId("extract-data").count() > 0) {
        developRetrain = d.getId();
        break;
      }
      Thread.sleep(200);
    }
    assertThat(developRetrain).as("the retrain run's Develop reached extract-data").isNotNull();
    assertThat(passed(developRetrain, "recalibrate-model")).isFalse();
  }

  @Test
  void anUnknownActionIsABadRequestNamingTheField() throws Exception {
    HttpResponse<String> bad = rest.http.send(HttpRequest.newBuilder(URI.create(rest.base
        + "/api/v1/webhooks/retrain")).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString("""
            {"version": "4", "groupKey": "{}:{alertname=\\"X\\"}", "status": "firing",
             "alerts": [{"status": "firing", "labels": {"alertname": "X", "action": "Elena Huber"}}]}"""))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
        .startsWith("application/problem+json"));
    assertThat(bad.body()).contains("alerts[0].labels.action").doesNotContain("Huber");
    assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(ProcessConstants.PROCESS_PIPELINE).count())
        .isZero();
  }

  /** A champion as the pipeline would make it: trained on 20,000 patients, evaluated, registered, in production. */
  private ModelVersion champion() {
    FeatureTable table = DriftScenario.table(DriftScenario.NO_DRIFT.generate(20_000, 11));
    List<SnapshotStore.Row> rows = new ArrayList<>();
    for (int i = 0; i < table.rows(); i++) {
      rows.add(new SnapshotStore.Row("s-" + i, table.x()[i], table.classes().get(table.y()[i])));
    }
    Snapshot snapshot = snapshots.create(table.features(), rows, "spec", "recalibration-it");
    TrainingRun run = training.train(snapshot.id(), "fabry", "recalibration-it");
    training.evaluate(run.id());
    ModelVersion version = registry.register(run.id(), "recalibration-it");
    registry.setStage(version.id(), ModelVersion.Stage.PRODUCTION, "test", "recalibration-it");
    return registry.get(version.id());
  }

  private MonitorService.Result monitorWindow(ModelVersion version, DriftScenario scenario, int patients, long seed) {
    MonitoringFixture.logPredictions(jdbc, json, registry.load(version), version, scenario.generate(patients, seed),
        0, seed, Instant.now().minusSeconds(600));
    MonitorService.Result result = monitor.run(new MonitorService.Request(null, version.id(), patients, null, null,
        "manual", "test", null));
    System.out.printf("%s: %s%n", scenario.id(), result.message());
    result.signals().forEach(s -> System.out.printf("  %s flagged=%s magnitude=%.4f -> %s%n", s.signal(),
        s.flagged(), s.magnitude(), s.action().id()));
    return result;
  }

  private Task awaitMedicalQa(String run) throws InterruptedException {
    String key = origins.find(run).orElseThrow().businessKey();
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      Task qa = tasks.createTaskQuery().taskDefinitionKey(ProcessConstants.TASK_MEDICAL_QA)
          .processInstanceBusinessKey(key).singleResult();
      if (qa != null) {
        return qa;
      }
      assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(run).finished().count())
          .as("the run ended before Medical QA; incidents: %s, failures: %s",
              runtime.createIncidentQuery().list().stream().map(i -> i.getIncidentMessage()).toList(),
              history.createHistoricVariableInstanceQuery().variableName(ProcessConstants.VAR_VALIDATION_FAILURES)
                  .list().stream().map(v -> String.valueOf(v.getValue())).toList())
          .isZero();
      assertThat(runtime.createIncidentQuery().list()).as("incidents").isEmpty();
      Thread.sleep(500);
    }
    throw new AssertionError("no Medical QA task within 10 minutes");
  }

  private boolean passed(String processInstanceId, String activity) {
    return history.createHistoricActivityInstanceQuery().processInstanceId(processInstanceId).activityId(activity)
        .finished().count() > 0;
  }

  private HttpResponse<String> webhook(String alertName, String action, String group) throws Exception {
    Instant startsAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return rest.http.send(HttpRequest.newBuilder(URI.create(rest.base + "/api/v1/webhooks/retrain"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString("""
            {"version": "4", "groupKey": "{}:{alertname=\\"%s\\", group=\\"%s\\"}", "status": "firing",
             "alerts": [{"status": "firing", "labels": {"alertname": "%s", "action": "%s"}, "startsAt": "%s"}]}"""
            .formatted(alertName, group, alertName, action, startsAt)))
        .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
