package io.medpipe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.ServerUnderTest;
import io.medpipe.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The production kill switch through the running application on PostgreSQL, with a model trained and deployed in both
 * slots: who may stop and resume it (the admin key and the engine logins of operators and devops; no one else, every
 * credential tried), what the prediction API answers while it is stopped (503 problem+json of the kill switch's own
 * type; staging unaffected), the audit of every change, reasons that hold an identifier refused, and the meter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@AutoConfigureObservability
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KillSwitchIT {

  static final int PORT = TestPorts.free();
  static final int MANAGEMENT_PORT = TestPorts.free();
  static final String ADMIN_KEY = "kill-switch-it-admin-key-0123456789abcdef";
  static final String SERVICE_KEY = "kill-switch-it-service-key-0123456789abcdef";
  static final String PATH = "/api/v1/admin/kill-switch";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    ServerUnderTest.properties(registry, "kill-switch", PORT, MANAGEMENT_PORT, ADMIN_KEY, SERVICE_KEY);
    registry.add("medpipe.worker.enabled", () -> false);
    registry.add("medpipe.cohort.patients", () -> 1500);
    registry.add("medpipe.cohort.fabry-prevalence", () -> 0.03);
    registry.add("medpipe.training.trees", () -> 20);
  }

  @Autowired JdbcTemplate jdbc;
  @Autowired ApplicationContext context;

  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();
  String feedbackKey;

  @BeforeAll
  void aModelServesInBothSlots() throws Exception {
    var version = ServerUnderTest.deployModel(context, "kill-switch-it").versionId();
    HttpResponse<String> key = send("POST", "/api/v1/admin/keys", "{\"clientId\": \"ward-7\", \"role\": \"feedback\"}",
        Map.of("X-API-Key", ADMIN_KEY));
    assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
    feedbackKey = json.readTree(key.body()).path("key").asText();
  }

  @Test
  @Order(1)
  void whoMayStopAndResumeTheProductionModel() throws Exception {
    assertThat(predict("/api/v1/predict").statusCode()).isEqualTo(200);
    // refused: every credential but those of the people who run production
    Map<String, Map<String, String>> refused = new LinkedHashMap<>();
    refused.put("no credentials", Map.of());
    refused.put("predict key", Map.of("X-API-Key", SERVICE_KEY));
    refused.put("feedback key", Map.of("X-API-Key", feedbackKey));
    refused.put("reviewer (medical-reviewers)", basic("reviewer", "demo"));
    refused.put("scientist (data-scientists)", basic("scientist", "demo"));
    refused.put("admin (camunda-admin)", basic("admin", "demo"));
    refused.put("an unknown key", Map.of("X-API-Key", "no-such-key-0123456789abcdef"));
    // last: a wrong password counts against that user in the login throttle
    refused.put("wrong password", basic("scientist", "not-the-password"));
    Map<String, Integer> matrix = new LinkedHashMap<>();
    for (var caller : refused.entrySet()) {
      HttpResponse<String> stop = change("stop", "sepsis alerts look wrong", caller.getValue());
      HttpResponse<String> read = send("GET", PATH, null, caller.getValue());
      matrix.put(caller.getKey() + " POST", stop.statusCode());
      matrix.put(caller.getKey() + " GET", read.statusCode());
      assertThat(stop.statusCode()).as(caller.getKey() + ": " + stop.body()).isIn(401, 403);
      assertThat(read.statusCode()).as(caller.getKey() + ": " + read.body()).isIn(401, 403);
      assertThat(stop.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }
    assertThat(matrix).containsEntry("no credentials POST", 401).containsEntry("wrong password POST", 401)
        .containsEntry("reviewer (medical-reviewers) POST", 403).containsEntry("admin (camunda-admin) POST", 403)
        .containsEntry("predict key POST", 403);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.kill_switch_event", Long.class)).isZero();

    // allowed: the admin key, and operators and devops as themselves (chief is in devops)
    Map<String, Map<String, String>> allowed = new LinkedHashMap<>();
    allowed.put("ops-console", Map.of("X-API-Key", ADMIN_KEY));
    allowed.put("operator", basic("operator", "demo"));
    allowed.put("devops", basic("devops", "demo"));
    allowed.put("chief", basic("chief", "demo"));
    for (var caller : allowed.entrySet()) {
      HttpResponse<String> stop = change("stop", "pause while the assay change is checked", caller.getValue());
      assertThat(stop.statusCode()).as(caller.getKey() + ": " + stop.body()).isEqualTo(200);
      assertThat(json.readTree(stop.body()).path("state").asText()).isEqualTo("stopped");
      HttpResponse<String> resume = change("resume", "checked, the model is fine", caller.getValue());
      assertThat(resume.statusCode()).as(caller.getKey() + ": " + resume.body()).isEqualTo(200);
      assertThat(json.readTree(resume.body()).path("state").asText()).isEqualTo("serving");
      assertThat(send("GET", PATH, null, caller.getValue()).statusCode()).isEqualTo(200);
    }
    List<Map<String, Object>> events = jdbc.queryForList(
        "SELECT action, actor, via FROM medpipe.kill_switch_event ORDER BY id");
    assertThat(events).extracting(e -> e.get("action") + " " + e.get("via"))
        .containsExactly("stop api-key", "resume api-key", "stop engine-login", "resume engine-login",
            "stop engine-login", "resume engine-login", "stop engine-login", "resume engine-login");
    assertThat(events).extracting(e -> (String) e.get("actor")).containsSubsequence("operator", "devops", "chief");
  }

  @Test
  @Order(2)
  void whileStoppedTheApiSaysNoAutomatedDecisionIsAvailable() throws Exception {
    HttpResponse<String> stop = change("stop", "health system asked to pause the model", basic("operator", "demo"));
    assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
    assertThat(metric()).isEqualTo(1.0);
    for (String path : List.of("/api/v1/predict", "/api/v1/predict/batch")) {
      HttpResponse<String> refused = predict(path);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
      JsonNode problem = json.readTree(refused.body());
      assertThat(problem.path("type").asText()).isEqualTo("https://medpipe.io/problems/kill-switch-stopped");
      assertThat(problem.path("status").asInt()).isEqualTo(503);
      assertThat(problem.path("detail").asText()).contains("No automated decision", "clinician");
      assertThat(refused.body()).doesNotContain("Exception", "java.");
    }
    // staging (the candidate under test) still answers; a second stop records nothing
    assertThat(predict("/api/v1/staging/predict").statusCode()).isEqualTo(200);
    HttpResponse<String> again = change("stop", "pressed twice by a colleague", basic("devops", "demo"));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("already stopped");

    HttpResponse<String> resume = change("resume", "the review found no fault", Map.of("X-API-Key", ADMIN_KEY));
    assertThat(resume.statusCode()).isEqualTo(200);
    assertThat(predict("/api/v1/predict").statusCode()).isEqualTo(200);
    assertThat(metric()).isEqualTo(0.0);
    JsonNode audit = json.readTree(send("GET", PATH, null, Map.of("X-API-Key", ADMIN_KEY)).body());
    assertThat(audit.path("state").asText()).isEqualTo("serving");
    assertThat(audit.path("events").get(0).path("action").asText()).isEqualTo("resume");
    assertThat(audit.path("events").get(0).path("actor").asText()).isEqualTo("bootstrap-admin");
    assertThat(audit.path("events").get(1).path("actor").asText()).isEqualTo("operator");
    assertThat(audit.path("events").get(1).path("reason").asText()).isEqualTo("health system asked to pause the model");
    assertThat(audit.path("events").get(1).path("at").asText()).isNotBlank();
  }

  @Test
  @Order(3)
  void aReasonMustSayWhyWithoutAnIdentifierAndTheAuditIsNeverRewritten() throws Exception {
    long before = jdbc.queryForObject("SELECT count(*) FROM medpipe.kill_switch_event", Long.class);
    for (String reason : List.of("wrong answer for MRN-4471902", "patient jane.doe@example.org complained",
        "call 555-867-5309", "Jane Doe 1970-01-31 misdiagnosed", "no", "")) {
      HttpResponse<String> r = change("stop", reason, basic("operator", "demo"));
      assertThat(r.statusCode()).as(reason).isEqualTo(400);
      assertThat(json.readTree(r.body()).path("errors").findValuesAsText("field")).containsExactly("reason");
      if (reason.length() > 5) {
        assertThat(r.body()).doesNotContain(reason.substring(reason.length() - 5));
      }
    }
    for (String body : List.of("{\"action\": \"pause\", \"reason\": \"a good reason\"}",
        "{\"reason\": \"a reason\"}")) {
      HttpResponse<String> r = send("POST", PATH, body, basic("operator", "demo"));
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(json.readTree(r.body()).path("errors").findValuesAsText("field")).containsExactly("action");
    }
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.kill_switch_event", Long.class)).isEqualTo(before);
    assertThat(predict("/api/v1/predict").statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> jdbc.update("UPDATE medpipe.kill_switch_event SET actor = 'someone else'"))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbc.update("DELETE FROM medpipe.kill_switch_event")).hasMessageContaining("append-only");
  }

  private HttpResponse<String> change(String action, String reason, Map<String, String> headers) throws Exception {
    return send("POST", PATH, json.writeValueAsString(Map.of("action", action, "reason", reason)), headers);
  }

  private HttpResponse<String> predict(String path) throws Exception {
    String one = "{\"features\": {\"age\": 52, \"sex\": \"F\", \"creatinine\": 1.1, \"egfr\": 80, \"uacr\": 40}}";
    return send("POST", path, path.endsWith("batch") ? "{\"requests\": [" + one + "]}" : one,
        Map.of("X-API-Key", SERVICE_KEY));
  }

  private double metric() throws Exception {
    String scrape = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + MANAGEMENT_PORT
        + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
    return scrape.lines().filter(l -> l.startsWith("medpipe_kill_switch_stopped ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).orElseThrow();
  }

  private static Map<String, String> basic(String user, String password) {
    return Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8)));
  }

  private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
