package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.pipeline.ProcessConstants;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole product on a real PostgreSQL (embedded), driven only through its public interfaces: Alertmanager's
 * webhook starts a run, reviewers complete their tasks through the engine's REST API as themselves, and the new
 * version answers on the production prediction API with an explanation.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
// Camunda keeps engines in a JVM-wide registry by name: a cached context would keep answering for "default"
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {

  static final int PORT = TestPorts.free();
  static final String TOKEN = "e2e-webhook-token";
  static final Duration STAGE_TIMEOUT = Duration.ofMinutes(5);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    Path dir = Files.createTempDirectory("medpipe-e2e");
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", dir::toString);
    registry.add("medpipe.webhook.token", () -> TOKEN);
    registry.add("medpipe.cohort.patients", () -> 5000);
    registry.add("medpipe.cohort.fabry-prevalence", () -> 0.02);
    registry.add("medpipe.training.trees", () -> 100);
  }

  @Autowired JdbcTemplate jdbc;
  @Autowired HistoryService history;
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();
  final String base = "http://localhost:" + PORT;

  static String processInstanceId;

  @Autowired io.medpipe.privacy.PhiScanService phiScan;

  @Test
  @Order(0)
  void plantIdentifiablePatientsBeforeAnyRun() {
    // distinctive names, MRNs, phones and e-mails, also written into their notes and PDF letters
    io.medpipe.privacy.PlantedPatients.plant(jdbc);
  }

  @Test
  @Order(1)
  void predictionApiSays503BeforeAnyDeployment() throws Exception {
    HttpResponse<String> r = post("/api/v1/predict", "{\"features\":{}}", null);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(c -> assertThat(c).contains("problem+json"));
    assertThat(json.readTree(r.body()).path("detail").asText()).contains("no model is deployed");
  }

  @Test
  @Order(2)
  void engineRestRequiresAuthentication() throws Exception {
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/engine-rest/task")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(get("/engine-rest/task", "reviewer").statusCode()).isEqualTo(200);
    assertThat(get("/engine-rest/task", "reviewer:wrong").statusCode()).isEqualTo(401);
  }

  @Test
  @Order(3)
  void webhookRefusesWrongTokenAndMalformedBodies() throws Exception {
    String alert = alert("RecallDropped");
    assertThat(post("/api/v1/webhooks/retrain", alert, "Bearer nope").statusCode()).isEqualTo(401);
    assertThat(post("/api/v1/webhooks/retrain", alert, null).statusCode()).isEqualTo(401);
    HttpResponse<String> malformed = post("/api/v1/webhooks/retrain", "{\"groupKey\": ", "Bearer " + TOKEN);
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).contains("\"field\"").doesNotContain("Exception").doesNotContain("at io.");
    HttpResponse<String> noAlerts = post("/api/v1/webhooks/retrain",
        "{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]}", "Bearer " + TOKEN);
    assertThat(noAlerts.statusCode()).isEqualTo(400);
    assertThat(json.readTree(noAlerts.body()).path("errors").get(0).path("field").asText()).isEqualTo("alerts");
  }

  @Test
  @Order(4)
  void webhookStartsOneRunPerAlertGroup() throws Exception {
    HttpResponse<String> first = post("/api/v1/webhooks/retrain", alert("RecallDropped"), "Bearer " + TOKEN);
    assertThat(first.statusCode()).isEqualTo(202);
    processInstanceId = json.readTree(first.body()).path("processInstanceId").asText();
    HttpResponse<String> again = post("/api/v1/webhooks/retrain", alert("RecallDropped"), "Bearer " + TOKEN);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json.readTree(again.body()).path("status").asText()).isEqualTo("already-running");
    assertThat(json.readTree(again.body()).path("processInstanceId").asText()).isEqualTo(processInstanceId);
  }

  @Test
  @Order(5)
  void medicalReviewerApprovesWithTheEvidenceInFront() throws Exception {
    JsonNode task = awaitTask(ProcessConstants.TASK_MEDICAL_QA, "reviewer");
    JsonNode vars = json.readTree(get("/engine-rest/task/" + task.path("id").asText() + "/variables", "reviewer").body());
    assertThat(vars.path("modelVersion").path("value").asText()).startsWith("fabry-");
    assertThat(vars.path("rareRecall").path("value").asDouble()).isGreaterThanOrEqualTo(0.80);
    assertThat(json.readTree(vars.path("metricsTable").path("value").asText())).isNotEmpty();
    assertThat(get("/engine-rest/task/" + task.path("id").asText() + "/deployed-form", "reviewer").statusCode())
        .isEqualTo(200);
    // the data scientist may watch but not decide
    assertThat(complete(task, "scientist", "qaDecision", "approve", "qaComment", "fine").statusCode()).isEqualTo(403);
    assertThat(complete(task, "chief", "qaDecision", "approve", "qaComment", "Plausible factors, recall ok")
        .statusCode()).isEqualTo(204);
  }

  @Test
  @Order(6)
  void devopsApprovesProductionButNotTheSamePersonAsTheReviewer() throws Exception {
    JsonNode task = awaitTask(ProcessConstants.TASK_APPROVE_PRODUCTION, "devops");
    HttpResponse<String> sameUser = complete(task, "chief", "deployDecision", "approve", "deployComment", "go");
    assertThat(sameUser.statusCode()).isEqualTo(403);
    assertThat(sameUser.body()).contains("Four-eyes");
    assertThat(complete(task, "devops", "deployDecision", "approve", "deployComment", "capacity ok").statusCode())
        .isEqualTo(204);
    awaitEnd();
    List<String> ends = history.createHistoricActivityInstanceQuery().processInstanceId(processInstanceId)
        .activityType("noneEndEvent").list().stream().map(HistoricActivityInstance::getActivityName).toList();
    assertThat(ends).containsExactly("Deployed");
  }

  @Test
  @Order(7)
  void productionApiAnswersWithTheNewVersionAndAnExplanation() throws Exception {
    String versionId = jdbc.queryForObject(
        "SELECT model_version_id::text FROM medpipe.serving_slot WHERE slot = 'production'", String.class);
    String stage = jdbc.queryForObject("SELECT stage FROM medpipe.model_version WHERE id = ?::uuid", String.class, versionId);
    assertThat(stage).isEqualTo("PRODUCTION");
    long logged = count();
    HttpResponse<String> r = post("/api/v1/predict", """
        {"features": {"age": 24, "sex": "M", "creatinine": 1.6, "egfr": 55, "uacr": 420,
                      "acroparesthesia": true, "angiokeratoma": true, "hypohidrosis": true},
         "requestId": "e2e-1", "patientRef": "ref-e2e-0001"}""", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = json.readTree(r.body());
    assertThat(body.path("model").path("id").asText()).isEqualTo(versionId);
    assertThat(body.path("probabilities").size()).isGreaterThanOrEqualTo(2);
    assertThat(body.path("explanation").path("contributions")).isNotEmpty();
    assertThat(body.path("explanation").path("contributions").get(0).path("feature").asText()).isNotBlank();
    assertThat(count()).isEqualTo(logged + 1);
  }

  @Test
  @Order(8)
  void predictionApiNamesEveryBadField() throws Exception {
    HttpResponse<String> r = post("/api/v1/predict",
        "{\"features\": {\"age\": 250, \"sex\": \"X\", \"creatinine\": \"high\", \"name\": \"Jane\"}}", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(c -> assertThat(c).contains("problem+json"));
    List<String> fields = json.readTree(r.body()).path("errors").findValuesAsText("field");
    assertThat(fields).contains("features.age", "features.sex", "features.creatinine", "features.name");
    HttpResponse<String> missing = post("/api/v1/predict", "{\"features\": {\"sex\": \"F\"}}", null);
    assertThat(json.readTree(missing.body()).path("errors").findValuesAsText("field")).contains("features.age");
    assertThat(post("/api/v1/predict", "{\"features\": ", null).statusCode()).isEqualTo(400);
    assertThat(post("/api/v1/predict", "{\"features\": {}, \"surname\": \"x\"}", null).statusCode()).isEqualTo(400);
  }

  @Test
  @Order(9)
  void noPatientIdentifierReachedTheLogOrThePredictionRecord(CapturedOutput output) {
    List<Map<String, Object>> patients = jdbc.queryForList(
        "SELECT mrn, family_name, phone, email FROM ehr.patient ORDER BY id LIMIT 500");
    String predictionLog = String.join("\n", jdbc.queryForList(
        "SELECT features::text || coalesce(patient_ref, '') FROM medpipe.prediction_log", String.class));
    String snapshots = String.join("\n", jdbc.queryForList(
        "SELECT subject_ref FROM medpipe.dataset_row LIMIT 5000", String.class));
    for (Map<String, Object> p : patients) {
      for (String key : List.of("mrn", "phone", "email")) {
        String value = (String) p.get(key);
        if (value != null) {
          assertThat(output.getAll()).doesNotContain(value);
          assertThat(predictionLog).doesNotContain(value);
          assertThat(snapshots).doesNotContain(value);
        }
      }
    }
    assertThat(jdbc.queryForObject("SELECT count(*) FROM ehr.extract", Long.class)).isZero();
  }

  @Test
  @Order(10)
  void leakScanFindsNoIdentifierOfAnyPatientAnywhere(CapturedOutput output) throws Exception {
    // the planted patients went through the run: their scrubbed notes are in the snapshot
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.dataset_note WHERE body LIKE '%[NAME]%'"
        + " AND body LIKE '%[PHONE]%'", Long.class)).isGreaterThanOrEqualTo(3);
    assertThat(history.createHistoricActivityInstanceQuery().activityId("phi-scan").finished().count()).isPositive();
    Path captured = Files.createTempFile("medpipe-e2e-output", ".log");
    Files.writeString(captured, output.getAll());
    var report = phiScan.scan(phiScan.sources(), List.of(captured));
    assertThat(report.patients()).isEqualTo(5003);
    assertThat(report.leaks()).as(report.summary()).isEmpty();
  }

  private long count() {
    return jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log", Long.class);
  }

  private JsonNode awaitTask(String key, String user) throws Exception {
    long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode tasks = json.readTree(get("/engine-rest/task?taskDefinitionKey=" + key, user).body());
      if (tasks.isArray() && !tasks.isEmpty()) {
        return tasks.get(0);
      }
      assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(processInstanceId).finished().count())
          .as("the run ended before reaching " + key).isZero();
      assertNoIncident();
      Thread.sleep(500);
    }
    throw new AssertionError("no " + key + " task within " + STAGE_TIMEOUT);
  }

  private void awaitEnd() throws Exception {
    long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (history.createHistoricProcessInstanceQuery().processInstanceId(processInstanceId).finished().count() == 1) {
        return;
      }
      assertNoIncident();
      Thread.sleep(500);
    }
    throw new AssertionError("the run did not end within " + STAGE_TIMEOUT);
  }

  private void assertNoIncident() {
    var incidents = history.createHistoricIncidentQuery().open().list();
    assertThat(incidents).as(() -> incidents.stream().map(i -> i.getActivityId() + ": " + i.getIncidentMessage()).toList()
        .toString()).isEmpty();
  }

  private HttpResponse<String> complete(JsonNode task, String user, String decisionVar, String decision,
                                        String commentVar, String comment) throws Exception {
    String body = "{\"variables\": {\"" + decisionVar + "\": {\"value\": \"" + decision + "\"}, \""
        + commentVar + "\": {\"value\": \"" + comment + "\"}}}";
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/engine-rest/task/" + task.path("id").asText() + "/complete"))
        .header("Authorization", basic(user)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String user) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", basic(user)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user) {
    String credentials = user.contains(":") ? user : user + ":demo";
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  private static String alert(String name) {
    return """
        {"version": "4", "groupKey": "{}:{alertname=\\"%s\\"}", "status": "firing", "receiver": "medpipe",
         "groupLabels": {"alertname": "%s"}, "commonLabels": {}, "commonAnnotations": {},
         "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0,
         "alerts": [{"status": "firing", "labels": {"alertname": "%s", "severity": "warning"},
                     "annotations": {"summary": "rare-class recall below 0.8"}, "startsAt": "2026-11-26T10:00:00Z",
                     "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": "abc"}]}
        """.formatted(name, name, name);
  }
}
