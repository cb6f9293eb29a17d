package io.medpipe.serving.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.TestPorts;
import io.medpipe.serving.security.RawHttp.Response;
import io.medpipe.system.LoginThrottle;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.camunda.bpm.client.ExternalTaskClient;
import org.camunda.bpm.client.interceptor.auth.BasicAuthProvider;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaConstraint;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaFormField;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaValidation;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The security suite of Camunda's HTTP side ({@code /engine-rest}, {@code /camunda}), against the real application on
 * a real PostgreSQL over raw HTTP, each finding of the external review of the governance work repeated literally:
 * H1, a URL that is not in normal form under Camunda's paths (500 and a stack trace quoting the path in the log);
 * L1, Camunda's REST errors with Java types and 500s for what the request caused; M6, the login throttle read the user
 * name from the form itself ({@code user%6eame=}, forms over 8 KB); H2, an outsider kept {@code admin} and the workers'
 * user refused for as long as an attack ran. The client address of each request is chosen among 127.0.0.0/8.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
// Camunda keeps engines in a JVM-wide registry by name: a cached context would keep answering for "default"
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineHttpSecurityIT {

  static final int PORT = TestPorts.free();
  static final String WORKER_PASSWORD = "engine-http-it-worker-secret-0123456789";
  /** What a Camunda error answer must not contain any more: Java packages, exception classes, stack frames. */
  static final Pattern JAVA = Pattern.compile("java\\.|javax\\.|jakarta\\.|com\\.fasterxml|[Jj]ackson|SPIN/"
      + "|springframework|Exception|\\tat |org\\.camunda");
  static Path dir;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    dir = Files.createTempDirectory("medpipe-engine-http");
    registry.add("server.port", () -> PORT);
    registry.add("management.server.port", TestPorts::free);
    registry.add("medpipe.data-dir", dir::toString);
    registry.add("medpipe.cohort.enabled", () -> false);
    // the pipeline's workers stay off: the test runs its own worker client against its own process
    registry.add("medpipe.worker.enabled", () -> false);
    registry.add("medpipe.worker.password", () -> WORKER_PASSWORD);
  }

  @Autowired RepositoryService repository;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  final ObjectMapper json = new ObjectMapper();

  // ---------------------------------------------------------------------------------------------------------------
  // H1

  @Test
  @Order(1)
  void h1NonNormalisedUrlsUnderCamundasPathsAre400AndNothingFromThemReachesTheLog(CapturedOutput output)
      throws Exception {
    // the review's two requests, literally, without credentials
    for (String target : List.of("/%65ngine-rest/MRN-85140083",
        "/%65ngine-rest/MRN-41796001/957-66-3191/olivia.novak21@example.org/Olivia_Novak_1958-09-30")) {
      Response r = RawHttp.send(PORT, "GET", target, Map.of(), null);
      assertThat(r.status()).as(target + " -> " + r.text()).isEqualTo(400);
      assertThat(r.header("content-type")).contains("application/problem+json");
      assertThat(r.text()).doesNotContain("MRN-").doesNotContainPattern(JAVA);
    }
    // every spelling the review listed, and every variant of the security suite, of Camunda's paths, each path
    // carrying a planted identifier of its own
    List<String> planted = new ArrayList<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    int n = 0;
    for (String base : List.of("/engine-rest/task/%s/claim", "/engine-rest/user/%s", "/engine-rest/history/%s",
        "/camunda/api/engine/engine/default/user/%s", "/camunda/api/admin/auth/user/default/%s",
        "/camunda/app/cockpit/default/%s")) {
      List<String> targets = new ArrayList<>();
      String mrn = "MRN-9" + String.format("%07d", 100 + n++);
      planted.add(mrn);
      String path = base.formatted(mrn);
      targets.addAll(PathVariants.of(path));
      String rest = path.substring(1);
      String first = rest.substring(0, rest.indexOf('/'));
      String after = rest.substring(rest.indexOf('/'));
      targets.addAll(List.of("/%" + Integer.toHexString(first.charAt(0)) + first.substring(1) + after,
          "/./" + rest, "//" + rest, "/x/../" + rest, "/%2e/" + rest, "/" + first + ";x=1" + after,
          "/" + first + after.replaceFirst("/([^/]+)/", "/$1;x=1/")));
      for (String target : targets) {
        for (String method : List.of("GET", "POST")) {
          Response r = RawHttp.send(PORT, method, target, "POST".equals(method)
              ? Map.of("Content-Type", "application/json") : Map.of(),
              "POST".equals(method)
                  ? "{}".getBytes(StandardCharsets.UTF_8) : null);
          statuses.merge(r.status(), 1, Integer::sum);
          // a refusal never quotes the path; a route's own answer (a 404's "instance") may name the caller's own path
          if (r.status() >= 500 || JAVA.matcher(r.text()).find() || (r.status() == 400 && r.text().contains(mrn))) {
            failures.add(method + " " + target + " -> " + r.status() + " " + r.text());
          }
          if (!target.equals(path) && notNormalised(target) && r.status() != 400) {
            failures.add(method + " " + target + " -> " + r.status() + ", not 400");
          }
        }
      }
    }
    System.out.printf("H1: %d requests under Camunda's paths without credentials: %s%n",
        statuses.values().stream().mapToInt(Integer::intValue).sum(), statuses);
    assertThat(failures).as("first 20: %s", failures.stream().limit(20).toList()).isEmpty();
    assertNotLogged(output, planted);
    assertThat(output.getAll()).doesNotContain("Invalid contextPath").doesNotContain("must match the start of");
  }

  /** What medpipe refuses as not in normal form, whatever the path addresses. */
  private static boolean notNormalised(String target) {
    String t = target.toLowerCase(java.util.Locale.ROOT);
    return t.contains(";") || t.contains("//") || t.contains("/./") || t.contains("/../") || t.endsWith("/.")
        || t.contains("%2e") || t.contains("%2f") || t.contains("%5c")
        || t.matches(".*%(?:[46][1-9a-f]|[57][0-9a]|3[0-9]|2d|5f|7e).*");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // L1

  @Test
  @Order(2)
  void l1CamundasRestErrorsHaveTheRightStatusAndNoJavaTypes(CapturedOutput output) throws Exception {
    BpmnModelInstance probe = Bpmn.createExecutableProcess("error-probe").camundaHistoryTimeToLive(1).startEvent()
        .userTask("decide").camundaCandidateGroups("devops")
        .camundaFormField().camundaId("decision").camundaType("string").camundaFormFieldDone()
        .endEvent().done();
    // the decision is required, as on medpipe's sign-off forms
    CamundaValidation validation = probe.newInstance(CamundaValidation.class);
    CamundaConstraint required = probe.newInstance(CamundaConstraint.class);
    required.setCamundaName("required");
    validation.getCamundaConstraints().add(required);
    probe.getModelElementsByType(CamundaFormField.class).iterator().next().setCamundaValidation(validation);
    deploy(probe);
    String instance = runtime.startProcessInstanceByKey("error-probe").getId();
    String task = tasks.createTaskQuery().processInstanceId(instance).singleResult().getId();

    // claim of a task someone else claimed: 500 TaskAlreadyClaimedException before
    assertThat(rest("devops", "POST", "/engine-rest/task/" + task + "/claim", "{\"userId\":\"devops\"}").status())
        .isEqualTo(204);
    JsonNode claimed = error(rest("chief", "POST", "/engine-rest/task/" + task + "/claim", "{\"userId\":\"chief\"}"),
        409);
    assertThat(claimed.path("type").asText()).isEqualTo("Conflict");
    assertThat(claimed.path("message").asText()).contains("already claimed");
    // the same through the web apps' API (Tasklist)
    Response tasklist = rest("chief", "POST", "/camunda/api/engine/engine/default/task/" + task + "/claim",
        "{\"userId\":\"chief\"}");
    assertThat(tasklist.status()).as(tasklist.text()).isIn(401, 403, 409);
    assertThat(tasklist.text()).doesNotContainPattern(JAVA);

    // form fields the form does not have, a required one missing: FormFieldValidationException before
    for (String action : List.of("resolve", "submit-form")) {
      Response r = rest("devops", "POST", "/engine-rest/task/" + task + "/" + action,
          "{\"variables\":{\"x\":{\"value\":1}}}");
      assertThat(r.status()).as(action + " " + r.text()).isBetween(400, 499);
      // a 403 keeps the type name AuthorizationException, which the web apps read; nothing else of Java
      String body = r.status() == 403 ? r.text().replace("\"type\":\"AuthorizationException\"", "") : r.text();
      assertThat(body).as(action).doesNotContainPattern(JAVA);
    }
    // a serialized Java object variable: a SPIN/Jackson message naming Java types before (and quoting the value)
    String plantedValue = "MRN-77766655";
    Response spin = rest("devops", "POST", "/engine-rest/task/" + task + "/complete",
        "{\"variables\":{\"decision\":{\"value\":\"" + plantedValue + "\",\"type\":\"Object\",\"valueInfo\":"
            + "{\"objectTypeName\":\"java.lang.String\",\"serializationDataFormat\":\"application/json\"}}}}");
    JsonNode spinError = error(spin, 400);
    assertThat(spinError.path("type").asText()).isEqualTo("InvalidRequest");
    assertThat(tasks.createTaskQuery().taskId(task).count()).as("the task was not completed").isOne();
    // a condition no process waits for: ProcessEngineException 500 before
    JsonNode condition = error(rest("scientist", "POST", "/engine-rest/condition",
        "{\"variables\":{\"x\":{\"value\":1}}}"), 400);
    assertThat(condition.path("message").asText()).isNotBlank();
    // refusals the web apps explain to their users keep the type they read
    JsonNode refused = error(rest("scientist", "PUT", "/engine-rest/process-instance/" + instance
        + "/variables/decision", "{\"value\":\"x\",\"type\":\"String\"}"), 403, true);
    assertThat(refused.path("type").asText()).isEqualTo("AuthorizationException");
    // medpipe's own rule (a completion sets only what the task's deployed form declares; this probe has none):
    // FormFieldValidationException, 500 before, now 400 in the API's words
    JsonNode undeclared = error(rest("devops", "POST", "/engine-rest/task/" + task + "/complete",
        "{\"variables\":{\"decision\":{\"value\":\"approve\"}}}"), 400);
    assertThat(undeclared.path("type").asText()).isEqualTo("InvalidRequest");
    // the name is not echoed (a user-chosen name could carry an identifier): its length and hash say which
    assertThat(undeclared.path("message").asText()).contains("undeclared name").doesNotContain("decision");
    // well-formed requests are answered as before
    Response read = rest("devops", "GET", "/engine-rest/task/" + task, null);
    assertThat(read.status()).as(read.text()).isEqualTo(200);
    assertThat(json.readTree(read.body()).path("assignee").asText()).isEqualTo("devops");
    assertNotLogged(output, List.of(plantedValue));
  }

  private JsonNode error(Response r, int status) throws Exception {
    return error(r, status, false);
  }

  private JsonNode error(Response r, int status, boolean authorization) throws Exception {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.header("content-type")).contains("json");
    String text = authorization ? r.text().replace("\"AuthorizationException\"", "\"\"") : r.text();
    assertThat(text).doesNotContainPattern(JAVA);
    return json.readTree(r.body());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // M6

  @Test
  @Order(3)
  void m6TheThrottleCountsTheUserCamundaChecksHoweverTheFormSpellsIt() throws Exception {
    Map<Integer, Integer> encodedName = new TreeMap<>();
    for (int i = 1; i <= 60; i++) {
      InetAddress from = InetAddress.getByName("127.0.6." + i);
      encodedName.merge(login(from, "user%6eame=scientist&password=wrong-" + i).status(), 1, Integer::sum);
    }
    System.out.printf("M6: 60 wrong passwords for scientist from 60 addresses with user%%6eame=: %s%n", encodedName);
    assertThat(encodedName.keySet()).containsOnly(401, 429);
    // 10 free failures per user from addresses it never logged in from, and the few the doubling delay lets through
    // while the 60 are sent (before: all 60 reached the engine)
    assertThat(encodedName.get(401)).as("checked by the engine").isBetween(10, 13);
    // the same user, spelt as the web apps spell it, or behind a form over 8 KB: the same count
    String pad = "x".repeat(9000);
    for (String form : List.of("username=scientist&password=wrong", "username=scientist&password=wrong&pad=" + pad,
        "user%6eame=scientist&password=wrong&pad=" + pad)) {
      Response r = login(InetAddress.getByName("127.0.6.100"), form);
      assertThat(r.status()).as(form.substring(0, Math.min(60, form.length()))).isEqualTo(429);
      assertThat(r.header("retry-after")).isNotNull();
    }
    // and a right password is checked as Camunda reads it, whatever the spelling
    assertThat(login(InetAddress.getByName("127.0.6.101"), "user%6eame=operator&password=demo").status())
        .isEqualTo(200);
    assertThat(login(InetAddress.getByName("127.0.6.102"), "username=operator&password=demo&pad=" + pad).status())
        .isEqualTo(200);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // H2, last: it leaves the attackers' addresses (127.0.0.1 among them) throttled for a while

  @Test
  @Order(4)
  void h2AnOutsiderNeitherLocksOutAdminNorStallsTheWorkers(CapturedOutput output) throws Exception {
    deploy(Bpmn.createExecutableProcess("throttle-probe").camundaHistoryTimeToLive(1).startEvent()
        .serviceTask("probe").camundaExternalTask("throttle-probe").endEvent().done());
    InetAddress workstation = InetAddress.getByName("127.0.3.1");
    // admin has logged in from the workstation before (the address becomes known for admin)
    assertThat(webLogin(workstation, "admin", "demo").status()).isEqualTo(200);

    // the workers: Camunda's external-task client, as the in-process workers run it, from the workers' address
    AtomicInteger done = new AtomicInteger();
    ExternalTaskClient workers = ExternalTaskClient.create().baseUrl("http://127.0.0.1:" + PORT + "/engine-rest")
        .workerId("throttle-probe-worker").asyncResponseTimeout(2000).disableBackoffStrategy()
        .addInterceptor(new BasicAuthProvider("medpipe-worker", WORKER_PASSWORD)).build();
    workers.subscribe("throttle-probe").lockDuration(30_000).handler((task, service) -> {
      service.complete(task);
      done.incrementAndGet();
    }).open();

    List<InetAddress> attackers = List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.5.1"),
        InetAddress.getByName("127.0.5.2"), InetAddress.getByName("127.0.5.3"), InetAddress.getByName("127.0.5.4"));
    int perUser = 3000;
    Map<String, AtomicInteger> attack = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(attackers.size());
    List<Future<?>> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < attackers.size(); t++) {
      InetAddress from = attackers.get(t);
      int share = perUser / attackers.size();
      threads.add(pool.submit(() -> {
        Map<String, String> session = webappSession(from);
        for (int i = 0; i < share; i++) {
          Response admin = login(from, session, "username=admin&password=wrong-" + i);
          attack.computeIfAbsent("admin " + admin.status(), k -> new AtomicInteger()).incrementAndGet();
          Response worker = RawHttp.send(from, PORT, "GET", "/engine-rest/version",
              Map.of("Authorization", basic("medpipe-worker", "wrong-" + i)), null);
          attack.computeIfAbsent("medpipe-worker " + worker.status(), k -> new AtomicInteger()).incrementAndGet();
        }
        return null;
      }));
    }
    // meanwhile: runs need the workers, and admin logs in from the workstation, by the web app and by HTTP Basic
    List<String> instances = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, Integer> adminAnswers = new TreeMap<>();
    long slowestAdminMs = 0;
    while (threads.stream().anyMatch(f -> !f.isDone())) {
      instances.add(runtime.startProcessInstanceByKey("throttle-probe").getId());
      long t0 = System.nanoTime();
      int web = webLogin(workstation, "admin", "demo").status();
      int basic = RawHttp.send(workstation, PORT, "GET", "/engine-rest/process-definition/count",
          Map.of("Authorization", basic("admin", "demo")), null).status();
      slowestAdminMs = Math.max(slowestAdminMs, (System.nanoTime() - t0) / 1_000_000);
      adminAnswers.merge(web, 1, Integer::sum);
      adminAnswers.merge(basic, 1, Integer::sum);
      Thread.sleep(300);
    }
    for (Future<?> f : threads) {
      f.get();
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - start) / 1e9;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (history.createHistoricProcessInstanceQuery().processDefinitionKey("throttle-probe").finished()
        .count() < instances.size() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    workers.stop();
    long finished = history.createHistoricProcessInstanceQuery().processDefinitionKey("throttle-probe").finished()
        .count();
    System.out.printf("H2: %d wrong passwords each for admin and medpipe-worker from %d addresses in %.1f s: %s;"
        + " admin from its workstation meanwhile: %s (slowest %d ms); runs started %d, finished by the workers %d%n",
        perUser, attackers.size(), seconds, new TreeMap<>(toCounts(attack)), adminAnswers, slowestAdminMs,
        instances.size(), finished);
    assertThat(toCounts(attack).keySet()).allMatch(k -> k.endsWith(" 401") || k.endsWith(" 429"));
    assertThat(adminAnswers.keySet()).as("admin from an address it logged in from is never refused")
        .containsOnly(200);
    assertThat(finished).as("the workers kept fetching").isEqualTo(instances.size());
    assertThat(instances).hasSizeGreaterThan(3);
    assertThat(output.getAll()).as("the workers' client was never refused").doesNotContain("TASK/CLIENT-03001")
        .doesNotContain("status 429").doesNotContain("status 401");

    // admin on an address it never logged in from: after the attack, within the documented delay
    InetAddress newAddress = InetAddress.getByName("127.0.4.1");
    long t0 = System.nanoTime();
    Response ok = null;
    while (Duration.ofNanos(System.nanoTime() - t0).compareTo(LoginThrottle.MAX_USER_DELAY.plusSeconds(5)) < 0) {
      ok = webLogin(newAddress, "admin", "demo");
      if (ok.status() == 200) {
        break;
      }
      assertThat(ok.status()).isEqualTo(429);
      Thread.sleep(Math.min(1000L * Long.parseLong(ok.header("retry-after")), 5000));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    System.out.printf("H2: admin from a new address after the attack: %d after %d ms%n", ok.status(),
        took.toMillis());
    assertThat(ok.status()).isEqualTo(200);
    assertThat(took).isLessThanOrEqualTo(LoginThrottle.MAX_USER_DELAY.plusSeconds(3));
  }

  private static Map<String, Integer> toCounts(Map<String, AtomicInteger> counts) {
    Map<String, Integer> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void deploy(BpmnModelInstance model) {
    String key = model.getDefinitions().getChildElementsByType(org.camunda.bpm.model.bpmn.instance.Process.class)
        .iterator().next().getId();
    if (repository.createProcessDefinitionQuery().processDefinitionKey(key).count() == 0) {
      repository.createDeployment().name(key).addModelInstance(key + ".bpmn", model).deploy();
    }
  }

  private static Response rest(String user, String method, String path, String body) throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", basic(user, "demo"));
    if (body != null) {
      headers.put("Content-Type", "application/json");
    }
    return RawHttp.send(PORT, method, path, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  /** A web app session with its CSRF token cookie, as a browser gets it by opening Tasklist. */
  private static Map<String, String> webappSession(InetAddress from) throws Exception {
    return new LinkedHashMap<>(RawHttp.send(from, PORT, "GET", "/camunda/app/tasklist/default/", Map.of(), null)
        .cookies());
  }

  private static Response webLogin(InetAddress from, String user, String password) throws Exception {
    return login(from, webappSession(from), "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
        + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8));
  }

  private static Response login(InetAddress from, String form) throws Exception {
    return login(from, webappSession(from), form);
  }

  /** The web apps' login as Cockpit posts it (form, XSRF token echoed), with the form as given. */
  private static Response login(InetAddress from, Map<String, String> session, String form) throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    StringBuilder cookie = new StringBuilder();
    session.forEach((k, v) -> cookie.append(cookie.isEmpty() ? "" : "; ").append(k).append('=').append(v));
    headers.put("Cookie", cookie.toString());
    headers.put("X-XSRF-TOKEN", session.getOrDefault("XSRF-TOKEN", ""));
    headers.put("Content-Type", "application/x-www-form-urlencoded");
    return RawHttp.send(from, PORT, "POST", "/camunda/api/admin/auth/user/default/login/cockpit", headers,
        form.getBytes(StandardCharsets.UTF_8));
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** None of the values is in the output of this test nor anywhere in the application's log file. */
  static void assertNotLogged(CapturedOutput output, List<String> values) throws Exception {
    String log = LogFiles.read();
    for (String value : values) {
      assertThat(output.getAll()).as("the output quotes a value sent in a request").doesNotContain(value);
      assertThat(log).as("the log file quotes a value sent in a request").doesNotContain(value);
    }
  }
}
