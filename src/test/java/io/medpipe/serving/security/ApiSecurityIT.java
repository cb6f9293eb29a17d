package io.medpipe.serving.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.ServerUnderTest;
import io.medpipe.TestPorts;
import io.medpipe.privacy.PhiScanService;
import io.medpipe.privacy.Pseudonymizer;
import io.medpipe.serving.security.ApiRoutes.Access;
import io.medpipe.serving.security.RawHttp.Response;
import io.medpipe.system.LoginThrottle;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The security suite of medpipe's HTTP side, against the real application on a real PostgreSQL (embedded) over
 * real HTTP: (a) every route of medpipe's API, under every path variant, refuses callers without the right
 * credentials; (b) the attacks of the security review (issue 11: items 1, 5, 6, 7, 9) repeated literally; (c) a seeded
 * fuzz run of malformed requests across every endpoint with no server error and no Java in any answer. A model is
 * trained on a small synthetic cohort and deployed in both slots first, so predictions are answered, not 503.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@AutoConfigureObservability
// Camunda keeps engines in a JVM-wide registry by name: a cached context would keep answering for "default"
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiSecurityIT {

  static final int PORT = TestPorts.free();
  static final int MANAGEMENT_PORT = TestPorts.free();
  static final String ADMIN_KEY = "security-it-admin-key-0123456789abcdef";
  static final String SERVICE_KEY = "security-it-service-key-0123456789abcdef";
  static final String TOKEN = "security-it-webhook-token";
  static final String PSEUDONYM_KEY = "security-it-pseudonym-key";
  static final String REFERENCE_KEY = "security-it-reference-key";
  static final int FUZZ_REQUESTS = 10_000;
  static final long FUZZ_SEED = 20261203L;
  /** What an answer must never contain: Java and Jackson type names, stack frames. */
  static final Pattern JAVA = Pattern.compile("java\\.|javax\\.|jakarta\\.|com\\.fasterxml|[Jj]ackson|springframework"
      + "|Exception|\\tat |io\\.medpipe|LinkedHashMap|JsonNode|PredictionRequest|FeedbackRequest|CreateKey|`");
  static final String SAMPLE_ID = "00000000-0000-4000-8000-000000000001";
  static Path dir;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    dir = ServerUnderTest.properties(registry, "security", PORT, MANAGEMENT_PORT, ADMIN_KEY, SERVICE_KEY);
    registry.add("medpipe.webhook.token", () -> TOKEN);
    registry.add("medpipe.privacy.pseudonym-key", () -> PSEUDONYM_KEY);
    registry.add("medpipe.privacy.reference-key", () -> REFERENCE_KEY);
    // no pipeline runs here: the model is trained and deployed by the test itself
    registry.add("medpipe.worker.enabled", () -> false);
    registry.add("medpipe.cohort.patients", () -> 2000);
    registry.add("medpipe.cohort.fabry-prevalence", () -> 0.03);
    registry.add("medpipe.training.trees", () -> 20);
  }

  @Autowired JdbcTemplate jdbc;
  @Autowired Environment env;
  @Autowired ApplicationContext context;
  @Autowired IdentityService identity;
  @Autowired AuthorizationService authorizations;
  @Autowired PhiScanService phiScan;
  @Autowired
  @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping handlers;
  final ObjectMapper json = new ObjectMapper();

  static String predictKey;
  static String feedbackKey;
  static UUID reportId;
  static UUID versionId;
  static String predictionId;
  static String otherClass;
  /** Real identifiers of EHR patients, sent in every field the fuzz and the attacks can reach. */
  static List<String> identifiers;

  @Test
  @Order(0)
  void deployAModelInBothSlotsAndCreateKeysOfEveryRole() throws Exception {
    ServerUnderTest.Deployed deployed = ServerUnderTest.deployModel(context, "security-it");
    reportId = deployed.edaReportId();
    versionId = deployed.versionId();
    predictKey = createKey("ehr-gateway", "predict");
    feedbackKey = createKey("ward-7", "feedback");
    Response prediction = post("/api/v1/predict", validRequest("setup-1"), SERVICE_KEY);
    assertThat(prediction.status()).as(prediction.text()).isEqualTo(200);
    JsonNode body = json.readTree(prediction.body());
    predictionId = body.path("predictionId").asText();
    body.path("probabilities").fieldNames().forEachRemaining(c -> {
      if (!c.equals(body.path("predictedClass").asText())) {
        otherClass = c;
      }
    });
    identifiers = new ArrayList<>();
    for (Map<String, Object> p : jdbc.queryForList(
        "SELECT mrn, national_id, phone, email, given_name, family_name, birth_date::text AS born FROM ehr.patient"
            + " ORDER BY id LIMIT 40")) {
      for (String column : List.of("mrn", "national_id", "phone", "email")) {
        if (p.get(column) != null) {
          identifiers.add((String) p.get(column));
        }
      }
      identifiers.add(p.get("given_name") + " " + p.get("family_name") + ", born " + p.get("born"));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // (a) every route, every path variant

  /** One route of medpipe's API from Spring MVC's own handler mappings: method and path pattern. */
  record MappedRoute(String method, String pattern) {
    String sample() {
      return pattern.replaceAll("\\{[^}]+}", SAMPLE_ID);
    }

    Access access() {
      return ApiRoutes.accessFor(HttpMethod.valueOf(method), sample()).orElse(null);
    }
  }

  List<MappedRoute> apiRoutes() {
    List<MappedRoute> routes = new ArrayList<>();
    for (Map.Entry<RequestMappingInfo, HandlerMethod> e : handlers.getHandlerMethods().entrySet()) {
      if (!e.getValue().getBeanType().getPackageName().startsWith("io.medpipe")) {
        continue;
      }
      RequestMappingInfo info = e.getKey();
      Set<String> patterns = info.getPathPatternsCondition() != null
          ? info.getPathPatternsCondition().getPatternValues() : info.getPatternValues();
      var methods = info.getMethodsCondition().getMethods();
      for (String pattern : patterns) {
        if (!pattern.startsWith("/api/")) {
          continue;
        }
        if (methods.isEmpty()) {
          routes.add(new MappedRoute("GET", pattern));
        }
        methods.forEach(m -> routes.add(new MappedRoute(m.name(), pattern)));
      }
    }
    routes.sort(java.util.Comparator.comparing(MappedRoute::pattern).thenComparing(MappedRoute::method));
    return routes;
  }

  @Test
  @Order(1)
  void everyRouteRefusesCallersWithoutTheRightCredentialsUnderEveryPathVariant() throws Exception {
    List<MappedRoute> routes = apiRoutes();
    assertThat(routes).extracting(MappedRoute::pattern).contains("/api/v1/admin/keys", "/api/v1/predict",
        "/api/v1/predictions", "/api/v1/reports/{id}", "/api/v1/models/{id}", "/api/v1/webhooks/retrain");
    int requests = 0;
    List<String> publicRoutes = new ArrayList<>();
    for (MappedRoute route : routes) {
      Access access = route.access();
      assertThat(access).as("%s %s is granted in ApiRoutes (else it is unreachable and undocumented)",
          route.method(), route.pattern()).isNotNull();
      List<String> paths = new ArrayList<>(List.of(route.sample()));
      paths.addAll(PathVariants.of(route.sample()));
      for (String path : paths) {
        Response anonymous = call(route.method(), path, null);
        requests++;
        assertRefused(route, path, "no credentials", anonymous);
      }
      if (access == Access.PUBLIC) {
        publicRoutes.add(route.method() + " " + route.pattern() + " (own bearer token)");
        continue;
      }
      for (String wrong : wrongKeys(access)) {
        for (String path : paths) {
          Response r = call(route.method(), path, wrong);
          requests++;
          assertRefused(route, path, "a key of the wrong role", r);
          if (path.equals(route.sample())) {
            assertThat(r.status()).as("%s %s with a key of the wrong role", route.method(), path).isEqualTo(403);
          }
        }
      }
      Response admin = call(route.method(), route.sample(), ADMIN_KEY);
      requests++;
      assertThat(admin.status()).as("the admin key reaches %s %s: %s", route.method(), route.sample(), admin)
          .isNotIn(401, 403).isLessThan(500);
    }
    System.out.printf("route walk: %d routes of medpipe's API, %d requests; public (named): %s%n", routes.size(),
        requests, publicRoutes);
    assertThat(publicRoutes).containsExactly("POST /api/v1/webhooks/retrain (own bearer token)");
  }

  private List<String> wrongKeys(Access access) {
    return switch (access) {
      case PREDICT -> List.of(feedbackKey);
      case FEEDBACK -> List.of(predictKey);
      case ADMIN, REVIEW, OPERATE -> List.of(predictKey, feedbackKey, SERVICE_KEY);
      case PUBLIC -> List.of();
    };
  }

  private static void assertRefused(MappedRoute route, String path, String as, Response r) {
    assertThat(r.status()).as("%s %s with %s: %s", route.method(), path, as, r).isIn(400, 401, 403);
    assertThat(r.header("content-type")).as("%s %s with %s", route.method(), path, as).contains("problem+json");
    assertThat(r.text()).doesNotContainPattern(JAVA);
  }

  private Response call(String method, String path, String key) throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    if (key != null) {
      headers.put("X-API-Key", key);
    }
    byte[] body = null;
    if (Set.of("POST", "PUT", "PATCH").contains(method)) {
      headers.put("Content-Type", "application/json");
      body = "{}".getBytes(StandardCharsets.UTF_8);
    }
    return RawHttp.send(PORT, method, path, headers, body);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // (b) the review's attacks, literally

  @Test
  @Order(2)
  void item1NoUnauthenticatedAdminThroughMatrixParametersOrEncodedLetters() throws Exception {
    long keys = count("medpipe.api_key");
    long predictions = count("medpipe.prediction_log");
    String admin = "{\"clientId\":\"x\",\"role\":\"admin\"}";
    for (String path : List.of("/api/v1/admin;x=1/keys", "/api/v1/%61dmin/keys", "/api/v1/admin/keys",
        "/api/v1/admin/keys;", "/api/v1/ADMIN/keys", "//api/v1/admin/keys")) {
      Response r = RawHttp.send(PORT, "POST", path, Map.of("Content-Type", "application/json"),
          admin.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as(path).isIn(400, 401);
      assertThat(r.text()).doesNotContain("mpk_");
    }
    for (String path : List.of("/api/v1/predictions;x=1", "/api/v1/%70redictions", "/api/v1/predictions/")) {
      Response r = RawHttp.send(PORT, "GET", path, Map.of(), null);
      assertThat(r.status()).as(path).isIn(400, 401);
      assertThat(r.text()).doesNotContain("items");
    }
    Response predict = RawHttp.send(PORT, "POST", "/api/v1/predict;x", Map.of("Content-Type", "application/json"),
        validRequest("anon-1").getBytes(StandardCharsets.UTF_8));
    assertThat(predict.status()).isIn(400, 401);
    assertThat(count("medpipe.api_key")).isEqualTo(keys);
    assertThat(count("medpipe.prediction_log")).isEqualTo(predictions);
  }

  @Test
  @Order(3)
  void item5IdentifiersAreRefusedInEveryFieldAndPatientReferencesAreStoredOnlyAsHmacs() throws Exception {
    long predictions = count("medpipe.prediction_log");
    String mrn = jdbc.queryForObject("SELECT mrn FROM ehr.patient ORDER BY id LIMIT 1", String.class);
    for (String ref : List.of("MRN-4471902", "ssn-123-45-6789", "phone-555-867-5309", "JaneDoe-1970-01-31",
        "123-45-6789", "+1 555 867 5309", "Jane Doe 1970-01-31", "jane.doe@example.org", mrn)) {
      Response r = post("/api/v1/predict", withField(validRequest(null), "patientRef", ref), SERVICE_KEY);
      assertThat(r.status()).as(ref).isEqualTo(400);
      assertThat(json.readTree(r.body()).path("errors").findValuesAsText("field")).as(ref)
          .containsExactly("patientRef");
      assertThat(r.text()).as(ref).doesNotContain(ref);
    }
    for (String requestId : List.of("555-867-5309", "jane.doe@example.org", "doe_1970-01-31", mrn,
        "Novak:Olivia:30-Sep-58", "novak-olivia-30sep58", "Novak-Olivia-Sep58")) {
      Response r = post("/api/v1/predict", withField(validRequest(null), "requestId", requestId), SERVICE_KEY);
      assertThat(r.status()).as(requestId).isEqualTo(400);
      assertThat(json.readTree(r.body()).path("errors").findValuesAsText("field")).containsExactly("requestId");
    }
    assertThat(count("medpipe.prediction_log")).isEqualTo(predictions);

    // a pseudonymous reference is accepted and stored only as its keyed HMAC
    Response ok = post("/api/v1/predict", withField(validRequest("hmac-1"), "patientRef", "psn-4c1d9e2a"),
        SERVICE_KEY);
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
    String stored = jdbc.queryForObject("SELECT patient_ref FROM medpipe.prediction_log WHERE request_id = 'hmac-1'",
        String.class);
    assertThat(stored).isEqualTo(new Pseudonymizer(REFERENCE_KEY).apiReference("psn-4c1d9e2a"))
        .isNotEqualTo(new Pseudonymizer(PSEUDONYM_KEY).apiReference("psn-4c1d9e2a"));
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log WHERE concat_ws(' ', patient_ref,"
        + " request_id, features::text) LIKE '%4c1d9e2a%'", Long.class)).isZero();

    // feedback fields and client ids carry no identifier either
    long feedback = count("medpipe.prediction_feedback");
    for (String body : List.of(
        "{\"predictionId\": \"" + predictionId + "\", \"verdict\": \"" + mrn + "\"}",
        "{\"predictionId\": \"" + predictionId + "\", \"verdict\": \"override\", \"confirmedClass\": \"" + mrn + "\"}",
        "{\"predictionId\": \"" + mrn + "\", \"verdict\": \"accept\"}",
        "{\"predictionId\": \"" + predictionId + "\", \"verdict\": \"accept\", \"patientName\": \"Jane Doe\"}")) {
      Response r = post("/api/v1/feedback", body, feedbackKey);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.text()).doesNotContain(mrn).doesNotContainPattern(JAVA);
    }
    assertThat(count("medpipe.prediction_feedback")).isEqualTo(feedback);
    long keys = count("medpipe.api_key");
    for (String clientId : List.of("5558675309", "jane.doe@example.org", "jdoe-1970-01-31", "smith1985",
        "olivia.novak21",
        "novak-olivia-30sep58",
        mrn.toLowerCase(java.util.Locale.ROOT))) {
      Response r = post("/api/v1/admin/keys", "{\"clientId\": \"" + clientId + "\", \"role\": \"predict\"}", ADMIN_KEY);
      assertThat(r.status()).as(clientId).isEqualTo(400);
      assertThat(json.readTree(r.body()).path("errors").findValuesAsText("field")).containsExactly("clientId");
    }
    assertThat(count("medpipe.api_key")).isEqualTo(keys);
  }

  @Test
  @Order(4)
  void item5AnAdminRedactsPredictionRecordsAndTheRedactionIsAudited() throws Exception {
    // a record as a client left it before references were stored as HMACs: the MRN itself
    String mrn = jdbc.queryForObject("SELECT mrn FROM ehr.patient ORDER BY id OFFSET 1 LIMIT 1", String.class);
    jdbc.update("""
        INSERT INTO medpipe.prediction_log (id, slot, model_version_id, patient_ref, features, predicted_class,
          probabilities, explanation, latency_ms, client_id, request_id)
        VALUES (gen_random_uuid(), 'production', ?, ?, '{}', 'x', '{}', '{}', 1, 'legacy-client', 'legacy-1')""",
        versionId, mrn);
    String why = "a client sent record numbers as references (incident 2026-12)";
    assertThat(post("/api/v1/admin/predictions/redactions", "{\"patientRef\": \"" + mrn + "\", \"reason\": \""
        + why + "\"}", predictKey).status()).isEqualTo(403);
    Response missingReason = post("/api/v1/admin/predictions/redactions", "{\"patientRef\": \"" + mrn + "\"}",
        ADMIN_KEY);
    assertThat(missingReason.status()).isEqualTo(400);
    Response identifierInReason = post("/api/v1/admin/predictions/redactions", "{\"patientRef\": \"" + mrn
        + "\", \"reason\": \"remove MRN " + mrn + " please\"}", ADMIN_KEY);
    assertThat(identifierInReason.status()).isEqualTo(400);
    assertThat(json.readTree(identifierInReason.body()).path("errors").findValuesAsText("field"))
        .containsExactly("reason");
    assertThat(identifierInReason.text()).doesNotContain(mrn);
    Response nameInReason = post("/api/v1/admin/predictions/redactions", "{\"patientRef\": \"" + mrn
        + "\", \"reason\": \"for Novak:Olivia:30-Sep-58 request\"}", ADMIN_KEY);
    assertThat(nameInReason.status()).isEqualTo(400);
    assertThat(json.readTree(nameInReason.body()).path("errors").findValuesAsText("field")).containsExactly("reason");

    Response byRef = post("/api/v1/admin/predictions/redactions", "{\"patientRef\": \"" + mrn + "\", \"reason\": \""
        + why + "\"}", ADMIN_KEY);
    assertThat(byRef.status()).as(byRef.text()).isEqualTo(201);
    assertThat(json.readTree(byRef.body()).path("redacted").asInt()).isEqualTo(1);
    Response byHmac = post("/api/v1/admin/predictions/redactions", "{\"patientRef\": \"psn-4c1d9e2a\", \"reason\": \""
        + "test of redaction by reference\"}", ADMIN_KEY);
    assertThat(json.readTree(byHmac.body()).path("redacted").asInt()).isEqualTo(1);
    Response byIds = post("/api/v1/admin/predictions/redactions", "{\"predictionIds\": [\"" + predictionId + "\", \""
        + UUID.randomUUID() + "\"], \"reason\": \"test of redaction by id\"}", ADMIN_KEY);
    assertThat(json.readTree(byIds.body()).path("redacted").asInt()).isEqualTo(1);

    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log WHERE patient_ref = ?", Long.class,
        mrn)).isZero();
    Map<String, Object> audit = jdbc.queryForMap("SELECT requested_by, reason, selector, requested_ids, redacted"
        + " FROM medpipe.prediction_redaction WHERE id = ?::uuid", json.readTree(byRef.body()).path("id").asText());
    assertThat(audit).containsEntry("requested_by", "bootstrap-admin").containsEntry("reason", why)
        .containsEntry("selector", "patient-ref").containsEntry("redacted", 1);
    assertThat(jdbc.queryForObject("SELECT string_agg(concat_ws(' ', requested_by, reason, selector), ' ')"
        + " FROM medpipe.prediction_redaction", String.class)).doesNotContain(mrn).doesNotContain("4c1d9e2a");
    JsonNode listed = json.readTree(get("/api/v1/admin/predictions/redactions", ADMIN_KEY).body());
    assertThat(listed.size()).isEqualTo(3);
    JsonNode page = json.readTree(get("/api/v1/predictions?size=500", ADMIN_KEY).body());
    boolean marked = false;
    for (JsonNode item : page.path("items")) {
      if (item.path("id").asText().equals(predictionId)) {
        marked = !item.path("redactionId").isNull() && item.path("patientRef").isNull();
      }
    }
    assertThat(marked).as("the audit query shows the record as redacted").isTrue();
  }

  @Test
  @Order(5)
  void item7ReportsAndModelRecordsNeedAnAdminKeyOrAWebappLoginOfAMedpipeGroup() throws Exception {
    List<String> evidence = List.of("/api/v1/reports/" + reportId, "/api/v1/reports/" + reportId + ".html",
        "/api/v1/models/" + versionId, "/api/v1/models/" + versionId + "/card",
        "/api/v1/models/" + versionId + "/card.json");
    String artifactUri = jdbc.queryForObject("SELECT artifact_uri FROM medpipe.model_version WHERE id = ?",
        String.class, versionId);
    for (String path : evidence) {
      assertThat(RawHttp.send(PORT, "GET", path, Map.of(), null).status()).as(path).isEqualTo(401);
      assertThat(get(path, predictKey).status()).as(path).isEqualTo(403);
      Response admin = get(path, ADMIN_KEY);
      assertThat(admin.status()).as(path).isEqualTo(200);
      assertThat(admin.text()).as(path).doesNotContain(dir.toString()).doesNotContain(artifactUri)
          .doesNotContain("artifactUri").doesNotContain("/artifacts/");
    }
    assertThat(json.readTree(get("/api/v1/models/" + versionId, ADMIN_KEY).body()).path("version")
        .path("artifactSha256").asText()).matches("[0-9a-f]{64}");
    assertThat(RawHttp.send(PORT, "GET", "/api/v1/evidence/" + SAMPLE_ID, Map.of(), null).status()).isEqualTo(401);
    assertThat(get("/api/v1/evidence/" + SAMPLE_ID, ADMIN_KEY).status()).isEqualTo(404);

    // a reviewer logged in to Tasklist reads them in the browser, with the session cookie only
    Map<String, String> reviewer = webappLogin(null, "reviewer", "demo", "tasklist");
    assertThat(reviewer).as("Tasklist login").isNotNull();
    for (String path : evidence) {
      Response read = RawHttp.send(PORT, "GET", path, cookies(reviewer), null);
      assertThat(read.status()).as(path).isEqualTo(200);
      assertThat(read.cookies()).as("the web app session is left as it is").doesNotContainKey("JSESSIONID");
    }
    Response stillLoggedIn = RawHttp.send(PORT, "GET", "/camunda/api/admin/auth/user/default", cookies(reviewer),
        null);
    assertThat(stillLoggedIn.text()).as("the Tasklist login survives reading the evidence").contains("reviewer");
    // ... but a session may only read them: not predict, not administer, not write
    assertThat(RawHttp.send(PORT, "GET", "/api/v1/model", cookies(reviewer), null).status()).isEqualTo(403);
    Map<String, String> withXsrf = new LinkedHashMap<>(cookies(reviewer));
    withXsrf.put("X-XSRF-TOKEN", reviewer.getOrDefault("XSRF-TOKEN", ""));
    withXsrf.put("Content-Type", "application/json");
    long keys = count("medpipe.api_key");
    assertThat(RawHttp.send(PORT, "POST", "/api/v1/admin/keys", withXsrf,
        "{\"clientId\":\"via-session\",\"role\":\"admin\"}".getBytes(StandardCharsets.UTF_8)).status()).isIn(401, 403);
    assertThat(count("medpipe.api_key")).isEqualTo(keys);

    // a logged-in user outside medpipe's groups may not
    if (identity.createUserQuery().userId("visitor").count() == 0) {
      var user = identity.newUser("visitor");
      user.setPassword("visitor-password");
      identity.saveUser(user);
      identity.saveGroup(identity.newGroup("visitors"));
      identity.createMembership("visitor", "visitors");
      Authorization grant = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
      grant.setGroupId("visitors");
      grant.setResource(Resources.APPLICATION);
      grant.setResourceId("tasklist");
      grant.addPermission(Permissions.ACCESS);
      authorizations.saveAuthorization(grant);
    }
    Map<String, String> visitor = webappLogin(null, "visitor", "visitor-password", "tasklist");
    assertThat(visitor).as("visitor login").isNotNull();
    assertThat(RawHttp.send(PORT, "GET", evidence.get(1), cookies(visitor), null).status()).isEqualTo(403);

    // Cockpit and the engine REST API keep their own authentication
    Map<String, String> operator = webappLogin(null, "operator", "demo", "cockpit");
    assertThat(operator).as("Cockpit login").isNotNull();
    Response cockpit = RawHttp.send(PORT, "GET", "/camunda/api/engine/engine/default/process-definition",
        cookies(operator), null);
    assertThat(cockpit.status()).as(cockpit.text()).isEqualTo(200);
    assertThat(RawHttp.send(PORT, "GET", "/engine-rest/process-definition/count", Map.of(), null).status())
        .isEqualTo(401);
    assertThat(RawHttp.send(PORT, "GET", "/engine-rest/process-definition/count",
        Map.of("Authorization", basic("operator", "demo")), null).status()).isEqualTo(200);
  }

  @Test
  @Order(6)
  void item7MetricsAreOnTheManagementPortBoundToThisHostOnly() throws Exception {
    for (String path : List.of("/actuator/prometheus", "/actuator/metrics", "/actuator/health", "/actuator")) {
      Response main = RawHttp.send(PORT, "GET", path, Map.of(), null);
      assertThat(main.status()).as("main port %s", path).isEqualTo(401);
      assertThat(main.text()).doesNotContain("medpipe_prediction");
    }
    assertThat(RawHttp.send(PORT, "GET", "/livez", Map.of(), null).status()).isEqualTo(200);
    assertThat(RawHttp.send(PORT, "GET", "/readyz", Map.of(), null).status()).isEqualTo(200);
    Response prometheus = RawHttp.send(MANAGEMENT_PORT, "GET", "/actuator/prometheus", Map.of(), null);
    assertThat(prometheus.status()).isEqualTo(200);
    assertThat(prometheus.text()).contains("medpipe_prediction_latency_seconds_bucket");
    assertThat(RawHttp.send(MANAGEMENT_PORT, "GET", "/actuator/metrics", Map.of(), null).status()).isEqualTo(200);
    assertThat(env.getProperty("management.server.address")).isEqualTo("127.0.0.1");
    InetAddress outside = nonLoopbackAddress();
    if (outside != null) {
      try (Socket main = new Socket()) {
        main.connect(new InetSocketAddress(outside, PORT), 2000);
      }
      boolean refused = false;
      try (Socket management = new Socket()) {
        management.connect(new InetSocketAddress(outside, MANAGEMENT_PORT), 2000);
      } catch (ConnectException expected) {
        refused = true;
      }
      assertThat(refused).as("the management port is not reachable at %s", outside).isTrue();
    } else {
      System.out.println("no non-loopback address on this machine: management binding checked by configuration only");
    }
  }

  @Test
  @Order(7)
  void item9StrictJsonAndErrorsInTheApisOwnWords() throws Exception {
    String valid = validRequest("strict-1");
    Map<String, byte[]> refused = new LinkedHashMap<>();
    refused.put("duplicate key", "{\"features\": {\"age\": 40, \"age\": 41, \"sex\": \"F\"}}".getBytes(
        StandardCharsets.UTF_8));
    refused.put("duplicate top-level key", ("{\"requestId\": \"a\", " + valid.substring(1)).replace("\"strict-1\"",
        "\"strict-1\"").getBytes(StandardCharsets.UTF_8));
    refused.put("trailing garbage", (valid + " xyz").getBytes(StandardCharsets.UTF_8));
    refused.put("trailing object", (valid + "{}").getBytes(StandardCharsets.UTF_8));
    byte[] bom = valid.getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[bom.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(bom, 0, withBom, 3, bom.length);
    refused.put("UTF-8 byte order mark", withBom);
    refused.put("UTF-16", valid.getBytes(StandardCharsets.UTF_16));
    long before = count("medpipe.prediction_log");
    for (Map.Entry<String, byte[]> e : refused.entrySet()) {
      Response r = RawHttp.send(PORT, "POST", "/api/v1/predict", Map.of("Content-Type", "application/json",
          "X-API-Key", SERVICE_KEY), e.getValue());
      assertThat(r.status()).as(e.getKey() + ": " + r.text()).isEqualTo(400);
      assertThat(r.header("content-type")).contains("problem+json");
      assertThat(r.text()).as(e.getKey()).doesNotContainPattern(JAVA);
    }
    assertThat(count("medpipe.prediction_log")).as("nothing accepted").isEqualTo(before);
    assertThat(post("/api/v1/predict", valid, SERVICE_KEY).status()).as("the same body, well-formed").isEqualTo(200);

    // every kind of refusal is problem+json with its own status, in the API's words
    List<Object[]> cases = List.of(
        new Object[] {"POST", "/api/v1/predict", "{\"features\": [1, 2]}", "application/json", 400},
        new Object[] {"POST", "/api/v1/predict/batch", "{\"requests\": {}}", "application/json", 400},
        new Object[] {"POST", "/api/v1/feedback", "{\"predictionId\": 5}", "application/json", 400},
        new Object[] {"POST", "/api/v1/feedback", "{\"predictionId\": [], \"verdict\": {}}", "application/json", 400},
        new Object[] {"POST", "/api/v1/admin/keys", "{\"clientId\": [], \"role\": 1}", "application/json", 400},
        new Object[] {"POST", "/api/v1/admin/keys", "[]", "application/json", 400},
        new Object[] {"POST", "/api/v1/admin/predictions/redactions", "{\"predictionIds\": \"x\"}",
            "application/json", 400},
        new Object[] {"POST", "/api/v1/predict", "{\"features\": {\"age\": 1e400}}", "application/json", 400},
        new Object[] {"POST", "/api/v1/predict", "{\"features\": {\"age\": NaN}}", "application/json", 400},
        new Object[] {"POST", "/api/v1/predict", "{\"features\": ", "application/json", 400},
        new Object[] {"POST", "/api/v1/predict", "null", "application/json", 400},
        new Object[] {"POST", "/api/v1/predict", "", "application/json", 400},
        new Object[] {"POST", "/api/v1/predict", valid, "text/plain", 415},
        new Object[] {"POST", "/api/v1/admin/keys", "clientId=x", "application/x-www-form-urlencoded", 415},
        new Object[] {"PUT", "/api/v1/predict", valid, "application/json", 405},
        new Object[] {"DELETE", "/api/v1/admin/keys", null, null, 405},
        new Object[] {"GET", "/api/v1/reports/" + UUID.randomUUID(), null, null, 404},
        new Object[] {"GET", "/api/v1/models/" + UUID.randomUUID(), null, null, 404},
        new Object[] {"DELETE", "/api/v1/admin/keys/" + UUID.randomUUID(), null, null, 404},
        new Object[] {"GET", "/api/v1/admin/nothing-here", null, null, 404},
        new Object[] {"GET", "/api/v1/models/not-a-uuid", null, null, 400},
        new Object[] {"GET", "/api/v1/predictions?from=yesterday", null, null, 400},
        new Object[] {"GET", "/api/v1/predictions?page=x", null, null, 400},
        new Object[] {"GET", "/api/v1/predictions?size=100000", null, null, 400},
        new Object[] {"GET", "/api/v1/predictions?modelVersion=x", null, null, 400});
    for (Object[] c : cases) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("X-API-Key", ADMIN_KEY);
      if (c[3] != null) {
        headers.put("Content-Type", (String) c[3]);
      }
      Response r = RawHttp.send(PORT, (String) c[0], (String) c[1], headers,
          c[2] == null ? null : ((String) c[2]).getBytes(StandardCharsets.UTF_8));
      String as = c[0] + " " + c[1] + " " + c[2];
      assertThat(r.status()).as(as + " -> " + r.text()).isEqualTo((int) c[4]);
      assertThat(r.header("content-type")).as(as).contains("application/problem+json");
      assertThat(r.text()).as(as).doesNotContainPattern(JAVA);
    }
  }

  @Test
  @Order(8)
  void theOpenApiDocumentDeclaresTheKeySchemesEachOperationsAccessAndItsProblems() throws Exception {
    Response r = RawHttp.send(PORT, "GET", "/v3/api-docs", Map.of(), null);
    assertThat(r.status()).isEqualTo(200);
    JsonNode doc = json.readTree(r.body());
    assertThat(doc.path("info").path("title").asText()).isEqualTo("medpipe API");
    assertThat(doc.path("info").path("version").asText()).isNotBlank().isNotEqualTo("v0");
    assertThat(doc.path("info").path("description").asText()).contains("API key");
    JsonNode schemes = doc.path("components").path("securitySchemes");
    assertThat(schemes.path("apiKey").path("name").asText()).isEqualTo("X-API-Key");
    assertThat(schemes.path("bearer").path("scheme").asText()).isEqualTo("bearer");
    assertThat(doc.path("components").path("schemas").has("Problem")).isTrue();
    int operations = 0;
    for (MappedRoute route : apiRoutes()) {
      JsonNode operation = doc.path("paths").path(route.pattern())
          .path(route.method().toLowerCase(java.util.Locale.ROOT));
      assertThat(operation.isMissingNode()).as("%s %s documented", route.method(), route.pattern()).isFalse();
      assertThat(operation.path("security")).as("%s %s security", route.method(), route.pattern()).isNotEmpty();
      assertThat(operation.path("responses").path("401").path("content").has("application/problem+json")).isTrue();
      if (route.access() != Access.PUBLIC) {
        assertThat(operation.path("security").toString()).contains("apiKey");
        assertThat(operation.path("responses").has("403")).isTrue();
      }
      assertThat(operation.path("description").asText()).contains("Access:");
      operations++;
    }
    assertThat(operations).isEqualTo(apiRoutes().size());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // (c) fuzz

  @Test
  @Order(9)
  void aSeededFuzzOfTenThousandMalformedRequestsGetsNoServerErrorAndNoJava() throws Exception {
    List<ApiFuzzer.Route> routes = new ArrayList<>();
    for (MappedRoute route : apiRoutes()) {
      String path = route.pattern().replace("{id}", route.pattern().startsWith("/api/v1/reports")
          ? reportId.toString() : route.pattern().startsWith("/api/v1/models") ? versionId.toString()
          : UUID.randomUUID().toString());
      routes.add(new ApiFuzzer.Route(route.method(), path, validBody(route)));
    }
    Map<String, String> keys = Map.of("admin", ADMIN_KEY, "predict", predictKey, "feedback", feedbackKey);
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> kinds = new ConcurrentHashMap<>();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    int threads = 2;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      ApiFuzzer fuzzer = new ApiFuzzer(FUZZ_SEED + t, routes, keys, TOKEN, identifiers);
      done.add(pool.submit(() -> {
        for (int i = 0; i < FUZZ_REQUESTS / threads; i++) {
          ApiFuzzer.Request request = fuzzer.next();
          String as = request.kind() + " " + request.method() + " " + abbreviate(request.target());
          try {
            Response r = RawHttp.send(PORT, request.method(), request.target(), request.headers(), request.body());
            statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
            kinds.computeIfAbsent(request.kind(), s -> new AtomicInteger()).incrementAndGet();
            if (r.status() >= 500) {
              failures.add(as + " -> " + r.status() + " " + abbreviate(r.text()));
            } else if (JAVA.matcher(r.text()).find()) {
              failures.add(as + " -> Java in the answer: " + abbreviate(r.text()));
            } else if (r.status() >= 400 && !"HEAD".equals(request.method())
                && (r.header("content-type") == null || !r.header("content-type").contains("problem+json"))) {
              failures.add(as + " -> " + r.status() + " not problem+json: " + r.header("content-type"));
            }
          } catch (Exception e) {
            failures.add(as + " -> " + e.getClass().getSimpleName() + " " + e.getMessage());
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - start) / 1e9;
    int total = statuses.values().stream().mapToInt(AtomicInteger::get).sum();
    System.out.printf("fuzz: %d requests (seed %d, %d threads) in %.1f s; statuses %s; kinds %s%n", total, FUZZ_SEED,
        threads, seconds, new TreeMap<>(statuses), new TreeMap<>(kinds));
    assertThat(failures).as("fuzz failures (first 20): %s", failures.stream().limit(20).toList()).isEmpty();
    assertThat(total).isGreaterThanOrEqualTo(FUZZ_REQUESTS);
    assertThat(statuses.keySet()).allMatch(s -> s < 500);
  }

  @Test
  @Order(10)
  void noIdentifierSentByTheAttacksOrTheFuzzReachedTheLogOrTheRecord(CapturedOutput output) throws Exception {
    String record = String.join("\n", jdbc.queryForList("SELECT concat_ws(' ', features::text, patient_ref,"
        + " request_id, client_id) FROM medpipe.prediction_log", String.class));
    String feedback = String.join("\n", jdbc.queryForList("SELECT concat_ws(' ', verdict, confirmed_class, client_id)"
        + " FROM medpipe.prediction_feedback", String.class));
    String keys = String.join("\n", jdbc.queryForList("SELECT client_id FROM medpipe.api_key", String.class));
    for (String identifier : identifiers) {
      assertThat(output.getAll()).doesNotContain(identifier);
      assertThat(record).doesNotContain(identifier);
      assertThat(feedback).doesNotContain(identifier);
      assertThat(keys).doesNotContain(identifier);
    }
    Path captured = Files.createTempFile("medpipe-security-output", ".log");
    Files.writeString(captured, output.getAll());
    var report = phiScan.scan(phiScan.sources(), List.of(captured));
    assertThat(report.leaks()).as(report.summary()).isEmpty();
    assertThat(output.getAll()).doesNotContain(ADMIN_KEY).doesNotContain(SERVICE_KEY).doesNotContain(predictKey)
        .doesNotContain(feedbackKey);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // item 6, last: it leaves this address throttled for a while

  @Test
  @Order(11)
  void item6FiftyWrongPasswordsFromOneAddressLockNobodyOut() throws Exception {
    InetAddress attacker = InetAddress.getByName("127.0.0.1");
    InetAddress colleague = InetAddress.getByName("127.0.0.2");
    Map<String, String> session = webappSession(attacker);
    Map<Integer, Integer> webapp = new TreeMap<>();
    Map<Integer, Integer> rest = new TreeMap<>();
    for (int i = 0; i < 50; i++) {
      webapp.merge(login(attacker, session, "admin", "wrong-" + i, "cockpit").status(), 1, Integer::sum);
      rest.merge(RawHttp.send(attacker, PORT, "GET", "/engine-rest/process-definition/count",
          Map.of("Authorization", basic("admin", "wrong-" + i)), null).status(), 1, Integer::sum);
    }
    System.out.printf("50 wrong passwords from one address: web app login %s, engine REST %s%n", webapp, rest);
    assertThat(webapp.keySet()).containsOnly(401, 429).contains(429);
    assertThat(rest.keySet()).containsOnly(401, 429).contains(429);

    long start = System.nanoTime();
    Duration documented = LoginThrottle.MAX_USER_DELAY.plusSeconds(5); // + the engine's login-delay-max-time
    Response ok = null;
    while (Duration.ofNanos(System.nanoTime() - start).compareTo(documented.plusSeconds(2)) < 0) {
      ok = login(colleague, webappSession(colleague), "admin", "demo", "cockpit");
      if (ok.status() == 200) {
        break;
      }
      Thread.sleep(500);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf("the right password from another address: %d after %d ms%n", ok.status(), took.toMillis());
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
    assertThat(took).isLessThanOrEqualTo(documented);
    assertThat(RawHttp.send(colleague, PORT, "GET", "/engine-rest/process-definition/count",
        Map.of("Authorization", basic("admin", "demo")), null).status()).isEqualTo(200);

    // the engine itself never locks for good: failures that reach it (as from many addresses) only delay
    for (int i = 0; i < 15; i++) {
      identity.checkPassword("admin", "wrong-" + i);
    }
    long engineStart = System.nanoTime();
    boolean unlocked = false;
    while (!unlocked && System.nanoTime() - engineStart < Duration.ofSeconds(10).toNanos()) {
      unlocked = identity.checkPassword("admin", "demo");
      if (!unlocked) {
        Thread.sleep(250);
      }
    }
    assertThat(unlocked).as("admin logs in within 10 s after 15 failures at the engine").isTrue();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM act_id_user WHERE id_ = 'admin'"
        + " AND lock_exp_time_ > now() + interval '1 minute'", Long.class)).isZero();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private String validBody(MappedRoute route) {
    if (!Set.of("POST", "PUT", "PATCH").contains(route.method())) {
      return null;
    }
    return switch (route.pattern()) {
      case "/api/v1/predict", "/api/v1/staging/predict" -> validRequest("fuzz");
      case "/api/v1/predict/batch", "/api/v1/staging/predict/batch" ->
        "{\"requests\": [" + validRequest("fuzz-a") + ", " + validRequest("fuzz-b") + "]}";
      case "/api/v1/feedback" -> "{\"predictionId\": \"" + predictionId + "\", \"verdict\": \"override\","
          + " \"confirmedClass\": \"" + otherClass + "\"}";
      case "/api/v1/admin/keys" -> "{\"clientId\": \"fuzz-client\", \"role\": \"predict\"}";
      case "/api/v1/admin/predictions/redactions" -> "{\"predictionIds\": [\"" + UUID.randomUUID()
          + "\"], \"reason\": \"fuzz test\"}";
      case "/api/v1/webhooks/retrain" -> "{\"version\": \"4\", \"groupKey\": \"fuzz\", \"status\": \"firing\","
          + " \"alerts\": [{\"status\": \"firing\", \"labels\": {\"alertname\": \"Fuzz\"}}]}";
      default -> "{}";
    };
  }

  private static String validRequest(String requestId) {
    return "{\"features\": {\"age\": 52, \"sex\": \"F\", \"creatinine\": 1.1, \"egfr\": 80, \"uacr\": 40}"
        + (requestId == null ? "" : ", \"requestId\": \"" + requestId + "\"") + "}";
  }

  private String withField(String body, String field, String value) throws Exception {
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(body);
    node.put(field, value);
    return json.writeValueAsString(node);
  }

  private String createKey(String client, String role) throws Exception {
    Response r = post("/api/v1/admin/keys", "{\"clientId\": \"" + client + "\", \"role\": \"" + role + "\"}",
        ADMIN_KEY);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return json.readTree(r.body()).path("key").asText();
  }

  private Response post(String path, String body, String key) throws Exception {
    return RawHttp.send(PORT, "POST", path, Map.of("Content-Type", "application/json", "X-API-Key", key),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private Response get(String path, String key) throws Exception {
    return RawHttp.send(PORT, "GET", path, Map.of("X-API-Key", key), null);
  }

  private long count(String table) {
    return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
  }

  /** A web app session with its CSRF token cookie, as a browser gets it by opening Tasklist. */
  private static Map<String, String> webappSession(InetAddress from) throws Exception {
    return new LinkedHashMap<>(RawHttp.send(from, PORT, "GET", "/camunda/app/tasklist/default/", Map.of(), null)
        .cookies());
  }

  /** Logs in as the web apps do (form post, XSRF token echoed); the session's cookies, or null if refused. */
  private static Map<String, String> webappLogin(InetAddress from, String user, String password, String app)
      throws Exception {
    Map<String, String> session = webappSession(from);
    Response r = login(from, session, user, password, app);
    if (r.status() != 200) {
      return null;
    }
    session.putAll(r.cookies());
    return session;
  }

  private static Response login(InetAddress from, Map<String, String> session, String user, String password,
                                String app)
      throws Exception {
    Map<String, String> headers = new LinkedHashMap<>(cookies(session));
    headers.put("X-XSRF-TOKEN", session.getOrDefault("XSRF-TOKEN", ""));
    headers.put("Content-Type", "application/x-www-form-urlencoded");
    return RawHttp.send(from, PORT, "POST", "/camunda/api/admin/auth/user/default/login/" + app, headers,
        ("username=" + user + "&password=" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> cookies(Map<String, String> session) {
    StringBuilder cookie = new StringBuilder();
    session.forEach((k, v) -> cookie.append(cookie.isEmpty() ? "" : "; ").append(k).append('=').append(v));
    return Map.of("Cookie", cookie.toString());
  }

  private static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
  }

  private static InetAddress nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a;
        }
      }
    }
    return null;
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
