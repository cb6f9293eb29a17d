package io.medpipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.TestPorts;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.pipeline.ProcessConstants;
import io.medpipe.system.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.Incident;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The monitor through the running application: POST /api/v1/monitoring/runs starts the monitoring process, the real
 * worker runs MonitorService on the embedded PostgreSQL, GET follows the run to its report (JSON and HTML) and the
 * meters on the management port carry the run's figures. A version registered before profiles existed is answered,
 * not failed; bad input is 400/404 problem+json naming the field; a run that cannot succeed is an incident with a
 * readable message.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@AutoConfigureObservability
@DirtiesContext
class MonitoringApiIT {

  static final int PORT = TestPorts.free();
  static final int MANAGEMENT_PORT = TestPorts.free();
  static final String ADMIN_KEY = "monitoring-it-admin-key-0123456789";
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper MAPPER = new ObjectMapper();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    String dir = Files.createTempDirectory("medpipe-monitoring-it").toString();
    registry.add("server.port", () -> PORT);
    registry.add("management.server.port", () -> MANAGEMENT_PORT);
    registry.add("medpipe.data-dir", () -> dir);
    registry.add("medpipe.cohort.patients", () -> 200);
    registry.add("medpipe.api.admin-key", () -> ADMIN_KEY);
    registry.add("medpipe.worker.retries", () -> 1);
    registry.add("medpipe.worker.retry-delay", () -> "PT1S");
  }

  @Autowired JdbcTemplate jdbc;
  @Autowired Json json;
  @Autowired SnapshotStore snapshots;
  @Autowired MonitoringProperties settings;
  @Autowired RuntimeService runtime;

  static UUID synthetic;
  static UUID legacy;

  @BeforeAll
  static void noVersionsYet() {
    synthetic = null;
  }

  private synchronized void versions() {
    if (synthetic == null) {
      synthetic = MonitoringFixture.insertSyntheticVersion(jdbc, json, snapshots, settings, 1000, 1500, 1.3);
      // a version as registered before reference profiles existed: the same rows without a profile
      legacy = UUID.randomUUID();
      jdbc.update("""
          INSERT INTO medpipe.model_version (id, name, version, training_run_id, snapshot_id, dataset_hash, algorithm,
            params, metrics, artifact_uri, artifact_sha256)
          SELECT ?, 'legacy-model', 1, training_run_id, snapshot_id, dataset_hash, algorithm, params, metrics,
            artifact_uri, artifact_sha256 FROM medpipe.model_version WHERE id = ?""", legacy, synthetic);
    }
  }

  private static HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("X-API-Key", key);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Follows a run until it is no longer running. */
  private static JsonNode awaitRun(String location) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    JsonNode run;
    do {
      Thread.sleep(300);
      run = MAPPER.readTree(send("GET", location, null, ADMIN_KEY).body());
    } while ("running".equals(run.path("status").asText()) && System.nanoTime() < deadline);
    return run;
  }

  @Test
  void aRunStartedThroughTheApiIsAnalysedByTheWorkerAndItsReportAndMetersAreReachable() throws Exception {
    versions();
    HttpResponse<String> started = send("POST", "/api/v1/monitoring/runs",
        "{\"modelVersionId\": \"" + synthetic + "\", \"last\": 1500}", ADMIN_KEY);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String location = started.headers().firstValue("Location").orElseThrow();
    JsonNode accepted = MAPPER.readTree(started.body());
    assertThat(accepted.path("status").asText()).isEqualTo("running");
    assertThat(accepted.path("processInstanceId").asText()).isNotBlank();

    JsonNode run = awaitRun(location);
    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("done");
    assertThat(run.path("outcome").asText()).isEqualTo("analysed");
    // a fiftieth of the window was answered without an automated decision (no class logged): still analysed
    assertThat(run.path("windowRows").asInt()).isEqualTo(1500);
    assertThat(run.path("trigger").asText()).isEqualTo("api");
    // the first lab reads 30% higher: data drift, which the policy turns into retraining
    assertThat(run.path("action").asText()).isEqualTo("retrain");
    JsonNode dataDrift = null;
    for (JsonNode signal : run.path("signals")) {
      if (signal.path("signal").asText().equals("data_drift")) {
        dataDrift = signal;
      }
    }
    assertThat(dataDrift).as(run.toString()).isNotNull();
    assertThat(dataDrift.path("flagged").asBoolean()).isTrue();

    HttpResponse<String> html = send("GET", location + ".html", null, ADMIN_KEY);
    assertThat(html.statusCode()).isEqualTo(200);
    assertThat(html.body()).contains("<h1>Drift report</h1>", "Drift policy", "lab_0", "<svg",
        "30 of them answered without an automated decision");
    JsonNode report = MAPPER.readTree(send("GET", run.path("reportUrl").asText(), null, ADMIN_KEY).body());
    assertThat(report.path("kind").asText()).isEqualTo(MonitorService.REPORT_KIND);
    assertThat(report.path("body").path("monitorRunId").asText()).isEqualTo(run.path("id").asText());
    // the process carries the run, its report and the policy's action
    // (the run's record is written before the worker completes its task: the instance ends a moment later)
    String instance = run.path("processInstanceId").asText();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (runtime.createProcessInstanceQuery().processInstanceId(instance).count() > 0
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(instance).count()).isZero();

    HttpResponse<String> scrape = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + MANAGEMENT_PORT
        + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.body()).contains("medpipe_monitor_window_predictions 1500.0")
        // one drifted lab of 30 is a narrow drift (the policy warns: 1); retraining comes from a signal at 4 (here
        // the domain classifier, or data drift when chance flags two more features)
        .containsPattern("medpipe_monitor_signal_action\\{[^}]*signal=\"data_drift\"[^}]*} [14].0")
        .containsPattern("medpipe_monitor_signal_action\\{[^}]*} 4.0")
        .containsPattern("medpipe_monitor_signal_flagged\\{[^}]*signal=\"data_drift\"[^}]*} 1.0")
        .containsPattern("medpipe_monitor_feature_drifted\\{[^}]*feature=\"lab_0\"[^}]*} 1.0")
        .contains("medpipe_monitor_last_run_age_seconds");
  }

  @Test
  void aVersionWithoutAReferenceProfileIsAnsweredNotFailed() throws Exception {
    versions();
    HttpResponse<String> started = send("POST", "/api/v1/monitoring/runs",
        "{\"modelVersionId\": \"" + legacy + "\"}", ADMIN_KEY);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonNode run = awaitRun(started.headers().firstValue("Location").orElseThrow());
    assertThat(run.path("status").asText()).isEqualTo("done");
    assertThat(run.path("outcome").asText()).isEqualTo("no-profile");
    assertThat(run.path("action").asText()).isEqualTo("none");
    assertThat(run.path("message").asText()).contains("registered before reference profiles existed");
    HttpResponse<String> model = send("GET", "/api/v1/models/" + legacy, null, ADMIN_KEY);
    assertThat(model.body()).contains("registered before reference profiles existed");
    assertThat(send("GET", "/api/v1/models/" + legacy + "/reference-profile", null, ADMIN_KEY).statusCode())
        .isEqualTo(404);
    assertThat(send("GET", "/api/v1/models/" + synthetic + "/reference-profile", null, ADMIN_KEY).body())
        .contains("\"formatVersion\":1");
  }

  @Test
  void badInputIsAProblemNamingTheField() throws Exception {
    Map<String, String> field = Map.of(
        "{\"last\": 1}", "last",
        "{\"last\": 100, \"from\": \"2026-01-01T00:00:00Z\", \"to\": \"2026-01-02T00:00:00Z\"}", "last",
        "{\"from\": \"2026-01-01T00:00:00Z\"}", "to",
        "{\"from\": \"2026-01-02T00:00:00Z\", \"to\": \"2026-01-01T00:00:00Z\"}", "to",
        "{\"modelVersionId\": \"not-a-uuid\"}", "modelVersionId",
        "{\"window\": 5}", "window");
    for (var e : field.entrySet()) {
      HttpResponse<String> r = send("POST", "/api/v1/monitoring/runs", e.getKey(), ADMIN_KEY);
      assertThat(r.statusCode()).as(e.getKey() + " -> " + r.body()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
      assertThat(r.body()).as(e.getKey()).contains("\"field\":\"" + e.getValue() + "\"").doesNotContain("Exception");
    }
    HttpResponse<String> unknown = send("POST", "/api/v1/monitoring/runs",
        "{\"modelVersionId\": \"" + UUID.randomUUID() + "\"}", ADMIN_KEY);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("modelVersionId: no model version");
    HttpResponse<String> noRun = send("GET", "/api/v1/monitoring/runs/" + UUID.randomUUID(), null, ADMIN_KEY);
    assertThat(noRun.statusCode()).isEqualTo(404);
    assertThat(noRun.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(send("POST", "/api/v1/monitoring/runs", "{}", null).statusCode()).isEqualTo(401);
  }

  @Test
  void aRunThatCannotSucceedIsAReadableIncident() throws Exception {
    String unknown = UUID.randomUUID().toString();
    runtime.createMessageCorrelation(ProcessConstants.MESSAGE_MONITOR_RUN_REQUESTED)
        .setVariables(Map.of(ProcessConstants.VAR_MODEL_VERSION_ID, unknown)).correlateStartMessage();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    Incident incident = null;
    while (incident == null && System.nanoTime() < deadline) {
      incident = runtime.createIncidentQuery().activityId("monitor-drift").singleResult();
      Thread.sleep(250);
    }
    assertThat(incident).as("an incident within 2 minutes").isNotNull();
    assertThat(incident.getIncidentMessage()).isEqualTo("modelVersionId: no model version " + unknown)
        .doesNotContain("Exception");
  }
}
