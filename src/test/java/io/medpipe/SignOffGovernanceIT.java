package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.EngineRest.Answer;
import io.medpipe.pipeline.ProcessConstants;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.UserOperationLogEntry;
import org.camunda.bpm.engine.runtime.Incident;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 11's insider attacks, repeated literally against one real run on PostgreSQL through the engine REST API (and
 * Tasklist's own API), each user logged in as themselves: the operator's variable edit and modification, the
 * administrator's signature, the forged four-eyes completion, and the 500s that were client errors. What they must
 * find now: refusals where the role does not allow it, and where an administrator may, an audit, void sign-offs and
 * a run that cannot reach production without a real review.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignOffGovernanceIT {

  static final int PORT = TestPorts.free();
  /** Generous: the wait ends as soon as the task appears; a loaded CI machine may need long for Develop. */
  static final Duration STAGE_TIMEOUT = Duration.ofMinutes(15);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    String dir = Files.createTempDirectory("medpipe-signoff").toString();
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", () -> dir);
    registry.add("medpipe.cohort.patients", () -> 5000);
    registry.add("medpipe.cohort.fabry-prevalence", () -> 0.02);
    registry.add("medpipe.training.trees", () -> 100);
    registry.add("medpipe.worker.retries", () -> 0);
    registry.add("medpipe.api.admin-key", () -> ADMIN_KEY);
  }

  /** /api/v1/evidence is for a Camunda session or the admin key (docs/security-api.md). */
  static final String ADMIN_KEY = "signoff-it-admin-key-0123456789abcdef";

  @Autowired JdbcTemplate jdbc;
  @Autowired HistoryService history;
  @Autowired RuntimeService runtime;
  final EngineRest rest = new EngineRest(PORT);

  static String run;
  static String qaTask;
  static String evidenceId;
  static String evidenceSha256;

  @Test
  @Order(1)
  void anOperatorStartsARunButNoStageOfIt() {
    assertThat(rest.post("operator", "/engine-rest/process-definition/key/staging/start", "{}").status())
        .as("a stage is started by its pipeline only").isEqualTo(403);
    // review finding M3: identifiers as a business key or a start variable; L3: a run "from monitoring" by hand
    String start = "/engine-rest/process-definition/key/mlops-pipeline/start";
    Answer mrn = rest.post("operator", start, "{\"businessKey\": \"MRN-25697430\"}");
    assertThat(mrn.status()).isEqualTo(403);
    assertThat(mrn.body()).contains("businessKey").doesNotContain("25697430");
    Answer json = rest.post("operator", start, """
        {"businessKey": "fabry-retrain-3", "variables": {"contact": {"type": "Json",
         "value": "{\\"patient\\":\\"Maria Walsh\\",\\"ssn\\":\\"997-02-7564\\"}"}}}""");
    assertThat(json.status()).as(json.body()).isEqualTo(403);
    assertThat(json.body()).contains("variables").doesNotContain("Maria", "997-02");
    Answer message = rest.post("operator", "/engine-rest/message",
        "{\"messageName\": \"RetrainRequested\", \"businessKey\": \"x\", \"processVariables\": {}}");
    assertThat(message.status()).isEqualTo(403);
    assertThat(runtime.createProcessInstanceQuery().count()).isZero();
    Answer started = rest.post("operator", "/engine-rest/process-definition/key/mlops-pipeline/start",
        "{\"businessKey\": \"signoff-it\"}");
    assertThat(started.status()).as(started.body()).isEqualTo(200);
    run = started.json().path("id").asText();
  }

  @Test
  @Order(2)
  void theReviewerSeesTheEvidenceFromItsStoreWithItsHash() throws Exception {
    qaTask = awaitTask(ProcessConstants.TASK_MEDICAL_QA, "reviewer").path("id").asText();
    evidenceId = rest.get("reviewer", "/engine-rest/task/" + qaTask + "/variables/evidenceId").json()
        .path("value").asText();
    JsonNode evidence = rest.withKey(ADMIN_KEY, "/api/v1/evidence/" + evidenceId).json();
    evidenceSha256 = evidence.path("sha256").asText();
    assertThat(evidenceSha256).matches("[0-9a-f]{64}");
    assertThat(evidence.path("intact").asBoolean()).isTrue();
    assertThat(evidence.path("content").path("model").path("artifactSha256").asText()).matches("[0-9a-f]{64}");
    assertThat(evidence.path("content").path("staging").path("requests").asInt()).isPositive();
    assertThat(evidence.path("content").path("clinicalValidation").path("rules").size()).isEqualTo(4);
    // "why this retrain" on the forms: the run's origin as recorded once at its start
    assertThat(evidence.path("origin").path("trigger").asText()).isEqualTo("manual");
    assertThat(evidence.path("origin").path("startedBy").asText()).isEqualTo("operator");
    assertThat(evidence.path("origin").path("runId").asText()).isEqualTo(run);
    assertThat(rest.withKey(ADMIN_KEY, "/api/v1/evidence/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
  }

  /** Issue 11, item 3: "a PUT of a process variable changed rarePrecision from 0.235 to 0.99 on the reviewer's form". */
  @Test
  @Order(3)
  void aVariableEditNeitherComesFromAnOperatorNorReachesTheForm() {
    double before = rarePrecision(rest.withKey(ADMIN_KEY, "/api/v1/evidence/" + evidenceId).json());
    String put = "/engine-rest/process-instance/" + run + "/variables/rarePrecision";
    Answer operator = rest.put("operator", put, "{\"value\": 0.99, \"type\": \"Double\"}");
    assertThat(operator.status()).isEqualTo(403);
    assertThat(operator.body()).contains("reserved to administrators");

    assertThat(rest.put("admin", put, "{\"value\": 0.99, \"type\": \"Double\"}").status()).isEqualTo(204);

    JsonNode after = rest.withKey(ADMIN_KEY, "/api/v1/evidence/" + evidenceId).json();
    assertThat(after.path("sha256").asText()).isEqualTo(evidenceSha256);
    assertThat(rarePrecision(after)).isEqualTo(before).isNotEqualTo(0.99);
    assertThat(audit()).contains("operator refused variable edit (rarePrecision)",
        "admin done variable edit (rarePrecision)");
    assertThat(history.createUserOperationLogQuery().processInstanceId(run).userId("admin")
        .operationType(UserOperationLogEntry.OPERATION_TYPE_SET_VARIABLE).count()).isEqualTo(1);
  }

  /** Issue 11, item 4: "the Camunda administrator completed Medical QA". */
  @Test
  @Order(4)
  void theAdministratorCannotSignMedicalQa() {
    Answer admin = rest.post("admin", "/engine-rest/task/" + qaTask + "/complete",
        EngineRest.variables("qaDecision", "approve", "qaComment", "admin says yes"));
    assertThat(admin.status()).isEqualTo(403);
    assertThat(admin.body()).contains("User admin is not a member of medical-reviewers");
  }

  /** Issue 11, item 9 (engine part), on the engine REST API and on Tasklist's own API. */
  @Test
  @Order(5)
  void badSubmissionsAre400AndMissingTasks404OnEveryPath() throws Exception {
    String complete = "/engine-rest/task/" + qaTask + "/complete";
    Answer noComment = rest.post("reviewer", complete, EngineRest.variables("qaDecision", "reject"));
    assertThat(noComment.status()).isEqualTo(400);
    assertThat(noComment.body()).contains("qaComment");
    Answer unknown = rest.post("reviewer", complete, EngineRest.variables("qaDecision", "maybe", "qaComment", "?"));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body()).contains("qaDecision must be one of");
    Answer extra = rest.post("reviewer", "/engine-rest/task/" + qaTask + "/submit-form",
        EngineRest.variables("qaDecision", "approve", "qaComment", "ok", "qaReviewer", "reviewer"));
    assertThat(extra.status()).isEqualTo(400);
    assertThat(extra.body()).contains("an undeclared name (10 characters", "only qaComment, qaDecision");
    String missing = "/engine-rest/task/00000000-no-such-task";
    assertThat(rest.post("reviewer", missing + "/claim", "{\"userId\": \"reviewer\"}").status()).isEqualTo(404);
    assertThat(rest.post("reviewer", missing + "/complete", "{}").status()).isEqualTo(404);

    Tasklist tasklist = Tasklist.login(rest.base, "reviewer");
    HttpResponse<String> viaTasklist = tasklist.post("/camunda/api/engine/engine/default/task/" + qaTask
        + "/submit-form", EngineRest.variables("qaDecision", "approve", "qaComment", "ok", "rarePrecision", "0.99"));
    assertThat(viaTasklist.statusCode()).as(viaTasklist.body()).isEqualTo(400);
    assertThat(viaTasklist.body()).contains("rarePrecision");
    assertThat(tasklist.post("/camunda/api/engine/engine/default/task/no-such-task/submit-form", "{}").statusCode())
        .isEqualTo(404);
    assertThat(signOffs()).isEmpty();
  }

  /**
   * Issue 11, item 3: "a process-instance modification cancelled Medical QA review and started after it with
   * qaDecision=approve, qaReviewer=reviewer: the run reached the production approval with no review".
   */
  @Test
  @Order(6)
  void skippingMedicalQaByModificationNeverReachesADeployableApproval() throws Exception {
    String staging = rest.get("reviewer", "/engine-rest/task/" + qaTask).json().path("processInstanceId").asText();
    String skip = """
        {"instructions": [{"type": "cancel", "activityId": "medical-qa-review"},
                          {"type": "startAfterActivity", "activityId": "medical-qa-review",
                           "variables": {"qaDecision": {"value": "approve", "local": false},
                                         "qaReviewer": {"value": "reviewer", "local": false}}}],
         "annotation": "issue 11, item 3"}""";
    String modification = "/engine-rest/process-instance/" + staging + "/modification";
    assertThat(rest.post("operator", modification, skip).status()).isEqualTo(403);
    Answer admin = rest.post("admin", modification, skip);
    assertThat(admin.status()).as(admin.body()).isEqualTo(204);
    assertThat(audit()).anyMatch(a -> a.startsWith("admin done process-instance modification"));

    JsonNode approval = awaitTask(ProcessConstants.TASK_APPROVE_PRODUCTION, "devops");
    assertThat(rest.post("devops", "/engine-rest/task/" + approval.path("id").asText() + "/complete",
        EngineRest.variables("deployDecision", "approve", "deployComment", "qa says approve")).status())
        .isEqualTo(204);
    // not deployed: the run waits for Medical QA again, and the approval given without it is void
    JsonNode again = awaitTask(ProcessConstants.TASK_MEDICAL_QA, "reviewer");
    assertThat(again.path("name").asText()).isEqualTo("Medical QA review (again)");
    assertThat(history.createHistoricActivityInstanceQuery().activityId(ProcessConstants.TOPIC_FETCH_MODEL).count())
        .isZero();
    assertThat(signOffs()).containsExactly("approve-production devops approve void");
    qaTask = again.path("id").asText();
  }

  @Test
  @Order(7)
  void chiefReviewsAndTheSignOffRecordsTheEvidenceHash() {
    assertThat(rest.post("chief", "/engine-rest/task/" + qaTask + "/complete",
        EngineRest.variables("qaDecision", "approve", "qaComment", "Plausible factors, recall ok")).status())
        .isEqualTo(204);
    assertThat(jdbc.queryForObject("SELECT evidence_sha256 FROM medpipe.sign_off WHERE run_id = ? AND signed_by ="
        + " 'chief'", String.class, run)).isEqualTo(evidenceSha256);
    assertThat(history.createUserOperationLogQuery().taskId(qaTask).userId("chief")
        .operationType(UserOperationLogEntry.OPERATION_TYPE_COMPLETE).count()).isEqualTo(1);
  }

  /** Issue 11, item 2: "chief completed the production approval with qaReviewer=reviewer among the variables". */
  @Test
  @Order(8)
  void theForgedFourEyesCompletionIsRefused() throws Exception {
    String approval = awaitTask(ProcessConstants.TASK_APPROVE_PRODUCTION, "devops").path("id").asText();
    String complete = "/engine-rest/task/" + approval + "/complete";
    Answer forged = rest.post("chief", complete,
        EngineRest.variables("deployDecision", "approve", "deployComment", "go", "qaReviewer", "reviewer"));
    assertThat(forged.status()).isEqualTo(400);
    // refused for the undeclared name, which is not echoed (a user-chosen name could carry an identifier)
    assertThat(forged.body()).contains("undeclared name").contains("deployComment, deployDecision")
        .doesNotContain("qaReviewer");
    Answer same = rest.post("chief", complete,
        EngineRest.variables("deployDecision", "approve", "deployComment", "go"));
    assertThat(same.status()).isEqualTo(403);
    assertThat(same.body()).contains("Four-eyes rule: user chief");
  }

  /**
   * Review findings M7, M1 and M2, literally. M7: devops gave the approval to "ghost-user", chief claimed the approval
   * he is barred from. M1: chief resolved the approval with his deployComment and devops completed it. M2: an
   * administrator's edit voided chief's Medical QA sign-off, reviewer signed Medical QA again, and chief approved the
   * production deployment.
   */
  @Test
  @Order(9)
  void noClaimNoResolveAndNoApprovalForAnyoneWhoSignedMedicalQaOfTheRun() throws Exception {
    JsonNode approval = awaitTask(ProcessConstants.TASK_APPROVE_PRODUCTION, "devops");
    String task = "/engine-rest/task/" + approval.path("id").asText();
    Answer ghost = rest.post("devops", task + "/claim", "{\"userId\": \"ghost-user\"}");
    assertThat(ghost.status()).isEqualTo(403);
    assertThat(ghost.body()).contains("for themself");
    Answer barred = rest.post("chief", task + "/claim", "{\"userId\": \"chief\"}");
    assertThat(barred.status()).isEqualTo(403);
    assertThat(barred.body()).contains("Four-eyes rule: user chief");
    assertThat(rest.get("devops", "/engine-rest/task?candidateGroup=devops").json()).isNotEmpty();

    Answer resolve = rest.post("chief", task + "/resolve",
        "{\"variables\": {\"deployComment\": {\"value\": \"chief was here\"}}}");
    assertThat(resolve.status()).isEqualTo(403);
    assertThat(resolve.body()).contains("neither resolved nor delegated");

    String production = approval.path("processInstanceId").asText();
    assertThat(rest.put("admin", "/engine-rest/process-instance/" + production + "/variables/rarePrecision",
        "{\"value\": 0.98, \"type\": \"Double\"}").status()).isEqualTo(204);
    assertThat(rest.post("devops", task + "/complete", EngineRest.variables("deployDecision", "approve")).status())
        .isEqualTo(204);
    String again = "/engine-rest/task/" + awaitTask(ProcessConstants.TASK_MEDICAL_QA, "reviewer").path("id").asText();
    assertThat(rest.post("reviewer", again + "/claim", "{\"userId\": \"reviewer\"}").status()).isEqualTo(204);
    assertThat(rest.post("reviewer", again + "/unclaim", "").status()).as("one's own claim").isEqualTo(204);
    assertThat(rest.post("reviewer", again + "/complete",
        EngineRest.variables("qaDecision", "approve", "qaComment", "Checked again after the edit")).status())
        .isEqualTo(204);

    String approvalAgain = "/engine-rest/task/" + awaitTask(ProcessConstants.TASK_APPROVE_PRODUCTION, "devops")
        .path("id").asText();
    Answer chief = rest.post("chief", approvalAgain + "/complete", EngineRest.variables("deployDecision", "approve"));
    assertThat(chief.status()).isEqualTo(403);
    assertThat(chief.body()).contains("Four-eyes rule: user chief");
    assertThat(history.createHistoricActivityInstanceQuery().activityId(ProcessConstants.TOPIC_FETCH_MODEL).count())
        .isZero();
    assertThat(jdbc.queryForList("SELECT coalesce(comment, '') FROM medpipe.sign_off WHERE run_id = ?", String.class,
        run)).doesNotContain("chief was here");
  }

  /**
   * An administrator jumps over the approval straight to deployment, every listener skipped: audited, the sign-offs
   * are void, and the deployment step stops with an incident that says what to do; the operator cancels the run.
   */
  @Test
  @Order(10)
  void jumpingOverTheApprovalStopsAtTheDeploymentStepAndTheOperatorCancels() throws Exception {
    String production = awaitTask(ProcessConstants.TASK_APPROVE_PRODUCTION, "devops").path("processInstanceId")
        .asText();
    Answer jump = rest.post("admin", "/engine-rest/process-instance/" + production + "/modification", """
        {"skipCustomListeners": true, "instructions": [
          {"type": "cancel", "activityId": "approve-production"},
          {"type": "startBeforeActivity", "activityId": "fetch-model"}]}""");
    assertThat(jump.status()).as(jump.body()).isEqualTo(204);
    assertThat(signOffs()).allMatch(s -> s.endsWith(" void"));

    Incident incident = awaitIncident(ProcessConstants.TOPIC_FETCH_MODEL);
    assertThat(incident.getIncidentMessage()).startsWith("Deployment stopped: no valid production approval")
        .contains("Cancel this run and start a new one");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.serving_slot WHERE slot = 'production'"
        + " AND model_version_id IS NOT NULL", Long.class)).isZero();

    assertThat(rest.delete("scientist", "/engine-rest/process-instance/" + run).status()).isEqualTo(403);
    assertThat(rest.delete("operator", "/engine-rest/process-instance/" + production).status())
        .as("a stage is not cancelled on its own").isEqualTo(403);
    assertThat(rest.delete("operator", "/engine-rest/process-instance/" + run).status()).isEqualTo(204);
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(run).finished().count()).isEqualTo(1);
  }

  private static double rarePrecision(JsonNode evidence) {
    String target = evidence.path("content").path("targetClass").asText();
    for (JsonNode c : evidence.path("content").path("metrics")) {
      if (c.path("label").asText().equals(target)) {
        return c.path("precision").asDouble();
      }
    }
    throw new AssertionError("no metrics of the rare class in the evidence");
  }

  private List<String> audit() {
    return jdbc.queryForList("SELECT actor || ' ' || outcome || ' ' || operation FROM medpipe.run_audit"
        + " WHERE run_id = ? ORDER BY id", String.class, run);
  }

  private List<String> signOffs() {
    return jdbc.queryForList("SELECT task_key || ' ' || signed_by || ' ' || decision || ' '"
        + " || CASE WHEN voided_at IS NULL THEN 'valid' ELSE 'void' END FROM medpipe.sign_off WHERE run_id = ?"
        + " ORDER BY seq", String.class, run);
  }

  private JsonNode awaitTask(String key, String user) throws Exception {
    long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode tasks = rest.get(user, "/engine-rest/task?taskDefinitionKey=" + key + "&processInstanceBusinessKey="
          + "signoff-it").json();
      if (tasks.isArray() && !tasks.isEmpty()) {
        return tasks.get(0);
      }
      assertThat(runtime.createIncidentQuery().count()).as(() -> runtime.createIncidentQuery().list().stream()
          .map(Incident::getIncidentMessage).toList().toString()).isZero();
      Thread.sleep(500);
    }
    throw new AssertionError("no " + key + " task within " + STAGE_TIMEOUT);
  }

  private Incident awaitIncident(String activity) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      Incident incident = runtime.createIncidentQuery().activityId(activity).singleResult();
      if (incident != null) {
        return incident;
      }
      Thread.sleep(300);
    }
    throw new AssertionError("no incident at " + activity);
  }

  /** A Tasklist session: logged in through the web app's login, with its CSRF token, as the browser does. */
  record Tasklist(HttpClient http, String base, String csrf) {

    static Tasklist login(String base, String user) throws Exception {
      CookieManager cookies = new CookieManager();
      HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();
      http.send(HttpRequest.newBuilder(URI.create(base + "/camunda/app/tasklist/")).build(),
          HttpResponse.BodyHandlers.discarding());
      HttpResponse<String> login = http.send(HttpRequest.newBuilder(
          URI.create(base + "/camunda/api/admin/auth/user/default/login/tasklist"))
          .header("Content-Type", "application/x-www-form-urlencoded").header("X-XSRF-TOKEN", token(cookies))
          .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password=demo")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).as("Tasklist login: " + login.body()).isEqualTo(200);
      // the login starts a new session, and the CSRF token belongs to the session: fetch the new one
      http.send(HttpRequest.newBuilder(URI.create(base + "/camunda/api/admin/auth/user/default")).build(),
          HttpResponse.BodyHandlers.discarding());
      return new Tasklist(http, base, token(cookies));
    }

    HttpResponse<String> post(String path, String body) throws Exception {
      return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
          .header("X-XSRF-TOKEN", csrf).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    private static String token(CookieManager cookies) {
      return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
          .map(HttpCookie::getValue).reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no XSRF-TOKEN"));
    }
  }
}
