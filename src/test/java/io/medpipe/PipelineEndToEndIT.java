package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.PredictionBurst.Burst;
import io.medpipe.bench.LoadGenerator;
import io.medpipe.pipeline.ProcessConstants;
import io.medpipe.serving.PredictionAudit;
import io.medpipe.system.EmbeddedDatabase;
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
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
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
  static final int MANAGEMENT_PORT = TestPorts.free();
  static final String TOKEN = "e2e-webhook-token";
  static final String ADMIN_KEY = "e2e-admin-key-0123456789abcdef";
  static final String SERVICE_KEY = "e2e-service-key-0123456789abcdef";
  static Path dir;
  static final Duration STAGE_TIMEOUT = Duration.ofMinutes(5);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    dir = ServerUnderTest.properties(registry, "e2e", PORT, MANAGEMENT_PORT, ADMIN_KEY, SERVICE_KEY);
    registry.add("medpipe.webhook.token", () -> TOKEN);
    registry.add("medpipe.cohort.patients", () -> 5000);
    registry.add("medpipe.cohort.fabry-prevalence", () -> 0.02);
    registry.add("medpipe.training.trees", () -> 100);
  }

  @Autowired JdbcTemplate jdbc;
  @Autowired HistoryService history;
  @Autowired EmbeddedDatabase database;
  @Autowired PredictionAudit audit;
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
    assertThat(post("/api/v1/predict", "{\"features\":{}}", null).statusCode()).isEqualTo(401);
    HttpResponse<String> r = post("/api/v1/predict", "{\"features\":{}}", key(SERVICE_KEY));
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
    JsonNode vars = json
        .readTree(get("/engine-rest/task/" + task.path("id").asText() + "/variables", "reviewer").body());
    assertThat(vars.path("modelVersion").path("value").asText()).startsWith("fabry-");
    // the metrics reach the reviewer through the evidence, not as variables: Develop's metrics stay in Develop
    assertThat(vars.has("rareRecall")).isFalse();
    assertThat(vars.has("metricsTable")).isFalse();
    JsonNode evidence = json.readTree(getWithKey("/api/v1/evidence/" + vars.path("evidenceId").path("value").asText(),
        ADMIN_KEY).body());
    JsonNode rare = null;
    for (JsonNode c : evidence.path("content").path("metrics")) {
      rare = c.path("label").asText().equals("fabry") ? c : rare;
    }
    assertThat(rare).as("the rare class's metrics in the evidence").isNotNull();
    assertThat(rare.path("recall").asDouble()).isGreaterThanOrEqualTo(0.80);
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
    // the deployed model's card lists the clinical validation it passed and its calibration before/after
    Map<String, Object> card = jdbc.queryForMap("""
        SELECT tr.model_card_html, tr.model_card_json::text AS model_card_json FROM medpipe.training_run tr
        JOIN medpipe.model_version mv ON mv.training_run_id = tr.id
        JOIN medpipe.serving_slot s ON s.model_version_id = mv.id WHERE s.slot = 'production'""");
    assertThat((String) card.get("model_card_html")).contains("<h2>Clinical validation: passed</h2>",
        "rare-class recall (95% CI lower bound)", "rare-class precision (95% CI lower bound)", "Calibration of");
    JsonNode cardJson = json.readTree((String) card.get("model_card_json"));
    assertThat(cardJson.path("clinicalValidation").path("passed").asBoolean()).isTrue();
    assertThat(cardJson.path("clinicalValidation").path("rules").size()).isEqualTo(4);
    assertThat(cardJson.path("calibration").path("after").has("brier")).isTrue();
  }

  @Test
  @Order(7)
  void productionApiAnswersWithTheNewVersionAndAnExplanation() throws Exception {
    String versionId = jdbc.queryForObject(
        "SELECT model_version_id::text FROM medpipe.serving_slot WHERE slot = 'production'", String.class);
    String stage = jdbc.queryForObject("SELECT stage FROM medpipe.model_version WHERE id = ?::uuid", String.class,
        versionId);
    assertThat(stage).isEqualTo("PRODUCTION");
    long logged = count();
    HttpResponse<String> r = post("/api/v1/predict", """
        {"features": {"age": 24, "sex": "M", "creatinine": 1.6, "egfr": 55, "uacr": 420,
                      "acroparesthesia": true, "angiokeratoma": true, "hypohidrosis": true},
         "requestId": "e2e-1", "patientRef": "ref-e2e-0001"}""", key(SERVICE_KEY));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = json.readTree(r.body());
    assertThat(body.path("model").path("id").asText()).isEqualTo(versionId);
    assertThat(body.path("probabilities").size()).isGreaterThanOrEqualTo(2);
    assertThat(body.path("explanation").path("contributions")).isNotEmpty();
    assertThat(body.path("explanation").path("contributions").get(0).path("feature").asText()).isNotBlank();
    assertThat(body.path("explanation").path("scale").asText()).startsWith("probability");
    assertThat(body.path("explanation").has("baseValue")).isTrue();
    // the answer is the validated decision (the cost matrix of the selected candidate, if it has one), stated with
    // its threshold, never simply the most probable class
    JsonNode described = json.readTree(getWithKey("/api/v1/model", SERVICE_KEY).body());
    assertThat(body.path("decisionRule").asText()).isEqualTo(described.path("decisionRule").asText())
        .isIn("least-expected-cost", "argmax");
    assertThat(body.path("decisionDescription").asText()).isNotBlank();
    List<String> classes = json.convertValue(described.path("classes"), new TypeReference<List<String>>() {});
    double[] p = classes.stream().mapToDouble(c -> body.path("probabilities").path(c).asDouble()).toArray();
    int decided = 0;
    if (described.path("costMatrix").isArray()) {
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < classes.size(); j++) {
        double expected = 0;
        for (int i = 0; i < classes.size(); i++) {
          expected += p[i] * described.path("costMatrix").get(i).get(j).asDouble();
        }
        if (expected < best) {
          best = expected;
          decided = j;
        }
      }
    } else {
      for (int j = 1; j < p.length; j++) {
        decided = p[j] > p[decided] ? j : decided;
      }
    }
    assertThat(body.path("predictedClass").asText()).isEqualTo(classes.get(decided));
    // durability commit: the row is committed before the response is sent
    assertThat(count()).isEqualTo(logged + 1);
    assertThat(jdbc.queryForObject("SELECT client_id FROM medpipe.prediction_log WHERE id = ?::uuid", String.class,
        body.path("predictionId").asText())).isEqualTo("medpipe-serving-tests");
  }

  @Test
  @Order(8)
  void predictionApiNamesEveryBadField() throws Exception {
    HttpResponse<String> r = post("/api/v1/predict",
        "{\"features\": {\"age\": 250, \"sex\": \"X\", \"creatinine\": \"high\", \"name\": \"Jane\"}}",
        key(SERVICE_KEY));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(c -> assertThat(c).contains("problem+json"));
    List<String> fields = json.readTree(r.body()).path("errors").findValuesAsText("field");
    assertThat(fields).contains("features.age", "features.sex", "features.creatinine", "features.name");
    assertThat(json.readTree(r.body()).path("errors").toString()).contains("direct identifier");
    HttpResponse<String> missing = post("/api/v1/predict", "{\"features\": {\"sex\": \"F\"}}", key(SERVICE_KEY));
    assertThat(json.readTree(missing.body()).path("errors").findValuesAsText("field")).contains("features.age");
    for (String bad : List.of("{\"features\": ", "{\"features\": {}, \"surname\": \"x\"}",
        "{\"features\": {\"age\": NaN}}", "{\"features\": {\"age\": Infinity}}", "{\"features\": [1, 2]}",
        "[]", "", "{\"features\": {\"age\": 40, \"sex\": \"F\"}, \"requestId\": \"Jane Doe, born 1970\"}",
        "{\"features\": {\"age\": 40, \"sex\": \"F\"}, \"patientRef\": \"123456789\"}",
        "{\"features\": {\"age\": 1e400, \"sex\": \"F\"}}",
        "{\"features\": {\"age\": 40, \"sex\": \"F\"}, \"pad\": \"" + "x".repeat(300_000) + "\"}")) {
      HttpResponse<String> refused = post("/api/v1/predict", bad, key(SERVICE_KEY));
      assertThat(refused.statusCode()).as(bad.length() > 200 ? "oversized body" : bad).isEqualTo(400);
      assertThat(refused.headers().firstValue("Content-Type"))
          .hasValueSatisfying(c -> assertThat(c).contains("problem+json"));
      assertThat(json.readTree(refused.body()).path("errors")).as(bad.length() > 200 ? "oversized" : bad).isNotEmpty();
    }
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
  void apiKeysAreCheckedAndRolesEnforced(CapturedOutput output) throws Exception {
    assertThat(post("/api/v1/predict", "{}", key("wrong-key")).statusCode()).isEqualTo(401);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/model")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    // the service key may predict but not administer keys or read the record
    assertThat(post("/api/v1/admin/keys", "{\"clientId\": \"xray-client\", \"role\": \"admin\"}", key(SERVICE_KEY))
        .statusCode()).isEqualTo(403);
    assertThat(getWithKey("/api/v1/predictions", SERVICE_KEY).statusCode()).isEqualTo(403);

    String feedbackKey = createKey("ward-7", "feedback");
    String predictKey = createKey("ehr-gateway", "predict");
    assertThat(post("/api/v1/predict", validRequest("k-1"), key(feedbackKey)).statusCode()).isEqualTo(403);
    assertThat(post("/api/v1/feedback", "{}", key(predictKey)).statusCode()).isEqualTo(403);
    HttpResponse<String> ok = post("/api/v1/predict", validRequest("k-2"), key(predictKey));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(jdbc.queryForObject("SELECT client_id FROM medpipe.prediction_log WHERE request_id = 'k-2'",
        String.class)).isEqualTo("ehr-gateway");

    // only hashes at rest; revocation takes effect
    JsonNode keys = json.readTree(getWithKey("/api/v1/admin/keys", ADMIN_KEY).body());
    assertThat(keys.toString()).doesNotContain(predictKey).doesNotContain(feedbackKey);
    assertThat(String.join(",", jdbc.queryForList("SELECT key_sha256 FROM medpipe.api_key", String.class)))
        .doesNotContain(predictKey);
    String predictKeyId = null;
    for (JsonNode k : keys) {
      if (k.path("clientId").asText().equals("ehr-gateway")) {
        predictKeyId = k.path("id").asText();
      }
    }
    HttpResponse<String> revoked = http
        .send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/keys/" + predictKeyId))
            .header("X-API-Key", ADMIN_KEY).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(revoked.statusCode()).isEqualTo(204);
    assertThat(post("/api/v1/predict", validRequest("k-3"), key(predictKey)).statusCode()).isEqualTo(401);
    assertThat(output.getAll()).doesNotContain(predictKey).doesNotContain(feedbackKey).doesNotContain(ADMIN_KEY)
        .doesNotContain(SERVICE_KEY);
  }

  @Test
  @Order(11)
  void feedbackIsJoinedToItsPredictionInTheAuditQuery() throws Exception {
    String feedbackKey = createKey("ward-8", "feedback");
    JsonNode prediction = json.readTree(post("/api/v1/predict", validRequest("fb-1"), key(SERVICE_KEY)).body());
    String id = prediction.path("predictionId").asText();
    String modelVersion = prediction.path("model").path("id").asText();

    HttpResponse<String> unknown = post("/api/v1/feedback", "{\"predictionId\": \"" + java.util.UUID.randomUUID()
        + "\", \"verdict\": \"accept\"}", key(feedbackKey));
    assertThat(unknown.statusCode()).isEqualTo(404);
    HttpResponse<String> badClass = post("/api/v1/feedback", "{\"predictionId\": \"" + id
        + "\", \"verdict\": \"override\", \"confirmedClass\": \"flu\"}", key(feedbackKey));
    assertThat(badClass.statusCode()).isEqualTo(400);
    String other = prediction.path("predictedClass").asText().equals("fabry") ? "other" : "fabry";
    JsonNode classes = prediction.path("probabilities");
    for (var it = classes.fieldNames(); it.hasNext();) {
      String c = it.next();
      if (!c.equals(prediction.path("predictedClass").asText())) {
        other = c;
      }
    }
    HttpResponse<String> stored = post("/api/v1/feedback", "{\"predictionId\": \"" + id
        + "\", \"verdict\": \"override\", \"confirmedClass\": \"" + other + "\"}", key(feedbackKey));
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);

    HttpResponse<String> page = getWithKey("/api/v1/predictions?modelVersion=" + modelVersion
        + "&from=2020-01-01T00:00:00Z&size=500", ADMIN_KEY);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    JsonNode found = null;
    for (JsonNode item : json.readTree(page.body()).path("items")) {
      if (item.path("id").asText().equals(id)) {
        found = item;
      }
    }
    assertThat(found).as("the prediction in the audit query").isNotNull();
    assertThat(found.path("feedback").path("verdict").asText()).isEqualTo("override");
    assertThat(found.path("feedback").path("confirmedClass").asText()).isEqualTo(other);
    assertThat(found.path("features").path("age").asDouble()).isEqualTo(52.0);
    assertThat(getWithKey("/api/v1/predictions?modelVersion=nope", ADMIN_KEY).statusCode()).isEqualTo(400);
  }

  @Test
  @Order(12)
  void batchPredictsEveryRequestAndNamesBadOnesByIndex() throws Exception {
    String three = "{\"requests\": [" + validRequest("b-1") + "," + validRequest("b-2") + "," + validRequest("b-3")
        + "]}";
    HttpResponse<String> r = post("/api/v1/predict/batch", three, key(SERVICE_KEY));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json.readTree(r.body()).path("predictions").findValuesAsText("requestId")).containsExactly("b-1", "b-2",
        "b-3");
    HttpResponse<String> bad = post("/api/v1/predict/batch", "{\"requests\": [" + validRequest("b-4")
        + ", {\"features\": {\"sex\": \"F\"}}]}", key(SERVICE_KEY));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json.readTree(bad.body()).path("errors").findValuesAsText("field")).contains("requests[1].features.age");
    String tooMany = "{\"requests\": [" + String.join(",", java.util.Collections.nCopies(101, validRequest(null)))
        + "]}";
    assertThat(post("/api/v1/predict/batch", tooMany, key(SERVICE_KEY)).statusCode()).isEqualTo(400);
    assertThat(post("/api/v1/staging/predict/batch", three, key(SERVICE_KEY)).statusCode()).isIn(200, 503);
  }

  @Test
  @Order(13)
  void modelDescriptionAndOpenApiDocumentDescribeTheRequest() throws Exception {
    JsonNode model = json.readTree(getWithKey("/api/v1/model", SERVICE_KEY).body());
    JsonNode age = null;
    for (JsonNode f : model.path("features")) {
      if (f.path("name").asText().equals("age")) {
        age = f;
      }
    }
    assertThat(age).isNotNull();
    assertThat(age.path("type").asText()).isEqualTo("NUMERIC");
    assertThat(age.path("required").asBoolean()).isTrue();
    assertThat(age.has("max")).isTrue();
    assertThat(model.path("classes").size()).isGreaterThanOrEqualTo(2);
    assertThat(model.path("decisionRule").asText()).isIn("least-expected-cost", "argmax");
    assertThat(model.path("costMatrix").isArray()).isEqualTo(model.path("decisionRule").asText().equals(
        "least-expected-cost"));
    HttpResponse<String> openApi = http.send(HttpRequest.newBuilder(URI.create(base + "/v3/api-docs")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(openApi.statusCode()).isEqualTo(200);
    assertThat(openApi.body()).contains("/api/v1/predict", "/api/v1/predict/batch", "/api/v1/feedback");
  }

  @Test
  @Order(14)
  void retentionPurgeRemovesOnlyPredictionsOlderThanTheRetention() {
    String versionId = jdbc.queryForObject(
        "SELECT model_version_id::text FROM medpipe.serving_slot WHERE slot = 'production'", String.class);
    jdbc.update("""
        INSERT INTO medpipe.prediction_log (id, created_at, slot, model_version_id, features, predicted_class,
          probabilities, explanation, latency_ms, request_id)
        VALUES (gen_random_uuid(), now() - interval '200 days', 'production', ?::uuid, '{}', 'x', '{}', '{}', 1, 'old')
        """, versionId);
    long recent = jdbc.queryForObject(
        "SELECT count(*) FROM medpipe.prediction_log WHERE created_at > now() - interval '1 day'",
        Long.class);
    assertThat(audit.purge(java.time.Instant.now())).isEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log WHERE request_id = 'old'", Long.class))
        .isZero();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log", Long.class)).isEqualTo(recent);
  }

  @Test
  @Order(15)
  void noAcknowledgedPredictionIsLostWhenTheApiNodeIsKilledDuringABurst() throws Exception {
    Burst burst = PredictionBurst.againstNewApiNode(dir, database.jdbcUrl(), database.password(),
        ADMIN_KEY, SERVICE_KEY, "commit",
        validRequest(null));
    try {
      List<String> acknowledged = burst.runUntilAcknowledged(300);
      burst.node().destroyForcibly().waitFor();
      assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(300);
      List<String> recorded = jdbc.queryForList("SELECT id::text FROM medpipe.prediction_log WHERE request_id LIKE ?",
          String.class, burst.requestPrefix() + "%");
      assertThat(recorded).containsAll(acknowledged);
      System.out.printf("kill -9 during a burst: %d acknowledged, %d recorded%n", acknowledged.size(), recorded.size());
    } finally {
      burst.node().destroyForcibly();
    }
  }

  @Test
  @Order(16)
  void aGracefulShutdownWritesEveryQueuedPredictionEvenWhenAsync() throws Exception {
    Burst burst = PredictionBurst.againstNewApiNode(dir, database.jdbcUrl(), database.password(),
        ADMIN_KEY, SERVICE_KEY, "async",
        validRequest(null));
    try {
      List<String> acknowledged = burst.runUntilAcknowledged(300);
      burst.node().destroy(); // SIGTERM: graceful shutdown
      assertThat(burst.node().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      List<String> recorded = jdbc.queryForList("SELECT id::text FROM medpipe.prediction_log WHERE request_id LIKE ?",
          String.class, burst.requestPrefix() + "%");
      assertThat(recorded).containsAll(acknowledged);
    } finally {
      burst.node().destroyForcibly();
    }
  }

  /**
   * The HTTP load generator against this deployed model, only on request (it measures, it asserts nothing):
   * {@code mvn -o verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=PipelineEndToEndIT
   * -Dmedpipe.loadgen=20}. Options: {@code -Dmedpipe.loadgen.rate=200}; {@code -Dmedpipe.loadgen.scenarios=fixed-rate}
   * (only the two fixed-rate scenarios); {@code -Dmedpipe.loadgen.thisJvm=false} (skip the run against this JVM);
   * {@code -Dmedpipe.loadgen.nodeJvm="opts|opts"}: the API node's JVM options, one node per '|'-separated set, to
   * compare e.g. garbage collectors (each node's GC log: target/api-node-loadgen-N-gc.log).
   */
  @Test
  @Order(17)
  @EnabledIfSystemProperty(named = "medpipe.loadgen", matches = "\\d+")
  void loadGenerator() throws Exception {
    int seconds = Integer.parseInt(System.getProperty("medpipe.loadgen"));
    int rate = Integer.parseInt(System.getProperty("medpipe.loadgen.rate", "200"));
    String scenarios = System.getProperty("medpipe.loadgen.scenarios", "all");
    if (Boolean.parseBoolean(System.getProperty("medpipe.loadgen.thisJvm", "true"))) {
      System.out.println("== against this JVM (engine, workers, API and the load generator in one process)");
      new LoadGenerator(base, SERVICE_KEY, "http://localhost:" + MANAGEMENT_PORT).run(seconds, rate, scenarios);
    }
    String[] nodeJvms = System.getProperty("medpipe.loadgen.nodeJvm", PredictionBurst.API_NODE_JVM).split("\\|");
    for (int n = 0; n < nodeJvms.length; n++) {
      List<String> options = List.of(nodeJvms[n].trim().split("\\s+"));
      // an API-only node in its own JVM, as deployed behind a load balancer
      Burst node = PredictionBurst.againstNewApiNode(dir, database.jdbcUrl(), database.password(),
          ADMIN_KEY, SERVICE_KEY, "commit",
          validRequest(null), options, "loadgen-" + n);
      try {
        // the load generator in a small JVM of its own: inside this one (engine, workers, a multi-GB heap) its own
        // pauses would count as the node's latency
        System.out.println("== against an API-only node (separate JVM from target/medpipe.jar, " + options
            + ", durability commit; load generator in its own JVM; GC log target/api-node-loadgen-" + n + "-gc.log)");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process generator = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp",
            System.getProperty("java.class.path"), LoadGenerator.class.getName(), node.url(), SERVICE_KEY,
            String.valueOf(seconds), String.valueOf(rate), scenarios, node.metricsUrl()).redirectErrorStream(true)
            .start();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(generator.getInputStream(),
            StandardCharsets.UTF_8))) {
          lines.lines().forEach(System.out::println);
        }
        assertThat(generator.waitFor()).isZero();
      } finally {
        node.node().destroy();
        node.node().waitFor();
      }
    }
  }

  @Test
  @Order(18)
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

  private static String validRequest(String requestId) {
    return "{\"features\": {\"age\": 52, \"sex\": \"F\", \"creatinine\": 1.1, \"egfr\": 80, \"uacr\": 40}"
        + (requestId == null ? "" : ", \"requestId\": \"" + requestId + "\"") + "}";
  }

  private String createKey(String client, String role) throws Exception {
    HttpResponse<String> r = post("/api/v1/admin/keys",
        "{\"clientId\": \"" + client + "\", \"role\": \"" + role + "\"}",
        key(ADMIN_KEY));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json.readTree(r.body()).path("key").asText();
  }

  private static String key(String apiKey) {
    return "Bearer " + apiKey;
  }

  private HttpResponse<String> getWithKey(String path, String apiKey) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-API-Key", apiKey).build(),
        HttpResponse.BodyHandlers.ofString());
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
    assertThat(incidents)
        .as(() -> incidents.stream().map(i -> i.getActivityId() + ": " + i.getIncidentMessage()).toList()
            .toString())
        .isEmpty();
  }

  private HttpResponse<String> complete(JsonNode task, String user, String decisionVar, String decision,
                                        String commentVar, String comment)
      throws Exception {
    String body = "{\"variables\": {\"" + decisionVar + "\": {\"value\": \"" + decision + "\"}, \""
        + commentVar + "\": {\"value\": \"" + comment + "\"}}}";
    HttpRequest request = HttpRequest
        .newBuilder(URI.create(base + "/engine-rest/task/" + task.path("id").asText() + "/complete"))
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
