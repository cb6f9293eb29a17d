package io.medpipe;

import static io.medpipe.pipeline.ProcessConstants.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.EngineRest.Answer;
import io.medpipe.signoff.EvidenceStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Least privilege, as a tested matrix: every group (one demo user each, plus the workers' technical user and the
 * administrator) tries every engine REST action that changes state, over HTTP Basic on the real engine on
 * PostgreSQL. Each attempt gets a fresh run (the workers are off, so runs wait where the test puts them). Allowed
 * means 2xx, refused means 403 (or 404 where Camunda hides what the user may not read); the table printed at the end
 * is the one in docs/security.md.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class EngineRoleMatrixIT {

  static final int PORT = TestPorts.free();
  static final String WORKER = "medpipe-worker:matrix-worker-secret";
  static Path dir;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    dir = Files.createTempDirectory("medpipe-matrix");
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", dir::toString);
    registry.add("medpipe.cohort.enabled", () -> false);
    registry.add("medpipe.worker.enabled", () -> false);
    registry.add("medpipe.worker.password", () -> "matrix-worker-secret");
  }

  /** Column order: the groups. */
  static final Map<String, String> USERS = new LinkedHashMap<>();

  static {
    USERS.put("medical-reviewers", "reviewer");
    USERS.put("devops", "devops");
    USERS.put("operators", "operator");
    USERS.put("data-scientists", "scientist");
    USERS.put("medpipe-workers", WORKER);
    USERS.put("camunda-admin", "admin");
  }

  record Action(String name, Function<String, Answer> attempt, String... allowed) {}

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired ExternalTaskService externalTasks;
  @Autowired ManagementService management;
  @Autowired RepositoryService repository;
  @Autowired IdentityService identity;
  @Autowired EvidenceStore evidenceStore;
  final EngineRest rest = new EngineRest(PORT);

  @Test
  void everyGroupMayDoExactlyWhatItsRoleNeeds() {
    List<Action> actions = List.of(
        new Action("start a run", u -> rest.post(u, "/engine-rest/process-definition/key/mlops-pipeline/start",
            "{\"businessKey\": \"matrix\"}"), "operator", "admin"),
        new Action("request a drift monitor run (medpipe monitor)", u -> rest.post(u, "/engine-rest/message",
            "{\"messageName\": \"MonitorRunRequested\", \"processVariables\": {\"windowLast\": {\"value\": 500,"
                + " \"type\": \"Integer\"}}}"),
            "operator", "devops", "admin"),
        new Action("start a run at a chosen activity", u -> rest.post(u,
            "/engine-rest/process-definition/key/mlops-pipeline/start", "{\"startInstructions\": [{\"type\":"
                + " \"startBeforeActivity\", \"activityId\": \"call-develop\"}]}"),
            "admin"),
        new Action("cancel a run", u -> rest.delete(u, "/engine-rest/process-instance/" + run().getId()),
            "operator", "admin"),
        new Action("modify a run",
            u -> rest.post(u, "/engine-rest/process-instance/" + develop(run()) + "/modification",
                "{\"instructions\": [{\"type\": \"startBeforeActivity\", \"activityId\": \"extract-data\"}]}"),
            "admin"),
        new Action("set a variable", u -> rest.put(u, "/engine-rest/process-instance/" + run().getId()
            + "/variables/rarePrecision", "{\"value\": 0.99, \"type\": \"Double\"}"), "admin"),
        new Action("delete a variable", u -> rest.delete(u, "/engine-rest/process-instance/" + run().getId()
            + "/variables/scratch"), "admin"),
        new Action("suspend a run", u -> rest.put(u, "/engine-rest/process-instance/" + run().getId() + "/suspended",
            "{\"suspended\": true}"), "admin"),
        new Action("claim a Medical QA task", u -> rest.post(u, "/engine-rest/task/" + medicalQaTask() + "/claim",
            "{\"userId\": \"" + u.split(":")[0] + "\"}"), "reviewer"),
        new Action("claim a Medical QA task for someone else", u -> rest.post(u, "/engine-rest/task/"
            + medicalQaTask() + "/claim", "{\"userId\": \"chief\"}"), "admin"),
        new Action("resolve a Medical QA task (with a comment)", u -> rest.post(u, "/engine-rest/task/"
            + medicalQaTask() + "/resolve", "{\"variables\": {\"qaComment\": {\"value\": \"x\"}}}")),
        new Action("start a run as monitoring (message RetrainRequested)", u -> rest.post(u, "/engine-rest/message",
            "{\"messageName\": \"RetrainRequested\", \"businessKey\": \"matrix-message\"}")),
        new Action("assign a Medical QA task", u -> rest.post(u, "/engine-rest/task/" + medicalQaTask() + "/assignee",
            "{\"userId\": \"reviewer\"}"), "admin"),
        new Action("complete Medical QA (reject, with comment)", u -> rest.post(u, "/engine-rest/task/"
            + medicalQaTask() + "/complete", EngineRest.variables("qaDecision", "reject", "qaComment", "no")),
            "reviewer"),
        new Action("complete a production approval (refuse, with comment)", u -> rest.post(u, "/engine-rest/task/"
            + approvalTask() + "/complete", EngineRest.variables("deployDecision", "refuse", "deployComment", "no")),
            "devops"),
        new Action("set a task variable", u -> rest.put(u, "/engine-rest/task/" + medicalQaTask() + "/variables/note",
            "{\"value\": \"x\", \"type\": \"String\"}"), "admin"),
        new Action("retry a failed step (external-task retries)", u -> rest.put(u, "/engine-rest/external-task/"
            + externalTask(run(), null) + "/retries", "{\"retries\": 1}"), "operator", "admin"),
        new Action("set a job's retries", u -> rest.put(u, "/engine-rest/job/" + timerJob() + "/retries",
            "{\"retries\": 3}"), "operator", "admin"),
        new Action("resolve an incident", u -> rest.delete(u, "/engine-rest/incident/" + incident()),
            "operator", "admin"),
        new Action("deploy", u -> deploy(u), "admin"),
        new Action("delete a deployment", u -> rest.delete(u, "/engine-rest/deployment/"
            + repository.createDeployment().addString("m.bpmn", bpmn()).deploy().getId()), "admin"),
        new Action("migrate a run", u -> migrate(u), "admin"),
        new Action("fetch and lock external tasks", u -> rest.post(u, "/engine-rest/external-task/fetchAndLock",
            "{\"workerId\": \"w\", \"maxTasks\": 1, \"topics\": [{\"topicName\": \"extract-data\", \"lockDuration\":"
                + " 1000}]}"),
            WORKER, "admin"),
        new Action("complete an external task", u -> rest.post(u, "/engine-rest/external-task/"
            + externalTask(run(), "w") + "/complete", "{\"workerId\": \"w\"}"), WORKER, "admin"),
        new Action("create a user", u -> rest.post(u, "/engine-rest/user/create", "{\"profile\": {\"id\": \"u"
            + suffix() + "\"}, \"credentials\": {\"password\": \"a-long-Passw0rd\"}}"), "admin"),
        new Action("create a group", u -> rest.post(u, "/engine-rest/group/create", "{\"id\": \"g" + suffix()
            + "\", \"name\": \"g\", \"type\": \"WORKFLOW\"}"), "admin"),
        new Action("create an authorization", u -> rest.post(u, "/engine-rest/authorization/create", "{\"type\": 1,"
            + " \"permissions\": [\"READ\"], \"userId\": \"scientist\", \"resourceType\": 6, \"resourceId\": \"*\"}"),
            "admin"));

    List<String> wrong = new ArrayList<>();
    StringBuilder table = new StringBuilder("| action | " + String.join(" | ", USERS.keySet()) + " |\n|---|"
        + "---|".repeat(USERS.size()) + "\n");
    for (Action action : actions) {
      table.append("| ").append(action.name());
      for (String user : USERS.values()) {
        boolean allowed = List.of(action.allowed()).contains(user);
        Answer answer = action.attempt().apply(user);
        boolean done = answer.status() >= 200 && answer.status() < 300;
        table.append(" | ").append(done ? "yes" : "no");
        // refused: 403, or 404 where the user may not even see what is asked for (Camunda hides it)
        if (allowed != done || (!done && answer.status() != 403 && answer.status() != 404)) {
          wrong.add(
              action.name() + " as " + user.split(":")[0] + ": expected " + (allowed ? "2xx" : "403/404") + ", got "
                  + answer.status() + " " + answer.body());
        }
      }
      table.append(" |\n");
    }
    System.out.println("Engine REST actions by group (yes = done, no = refused: HTTP 403, or 404 where the group may"
        + " not even see the resource):\n" + table);
    assertThat(wrong).isEmpty();
  }

  /**
   * Issue 11, item 7, in the running application: the log Logback writes, the secrets demo mode generated and the
   * data directory are the owner's only. (The log and secrets are where the start-up placed them: the test's dynamic
   * data directory is set after they are, so they are found through Logback's own file appender.)
   */
  @Test
  void theApplicationsLogSecretsAndDataAreReadableByTheOwnerOnly() throws Exception {
    Path log = null;
    ch.qos.logback.classic.LoggerContext logging = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory
        .getILoggerFactory();
    for (var it = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders(); it.hasNext();) {
      if (it.next() instanceof ch.qos.logback.core.FileAppender<?> file) {
        log = Path.of(file.getFile()).toAbsolutePath();
      }
    }
    assertThat(log).as("the application logs to a file").isNotNull();
    assertThat(Files.size(log)).as("the log is being written").isPositive();
    Path data = log.getParent().getParent();
    for (Path file : List.of(log, data.resolve("postgres.password"), data.resolve("pseudonym.key"))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
          .isEqualTo("rw-------");
    }
    for (Path directory : List.of(data, log.getParent(), dir.resolve("postgres"))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).as(directory.toString())
          .isEqualTo("rwx------");
    }
  }

  // --------------------------------------------------------------------------------------- fixtures (as the system)

  private ProcessInstance run() {
    return runtime.startProcessInstanceByKey(PROCESS_PIPELINE, "matrix",
        Map.of(VAR_TARGET_CLASS, "fabry", "scratch", "1"));
  }

  private String develop(ProcessInstance run) {
    return runtime.createProcessInstanceQuery().superProcessInstanceId(run.getId()).singleResult().getId();
  }

  /** The id of the run's current external task, locked by a worker id if one is given. */
  private String externalTask(ProcessInstance run, String lockedBy) {
    String id = externalTasks.createExternalTaskQuery().processInstanceId(develop(run)).singleResult().getId();
    if (lockedBy != null) {
      externalTasks.lock(id, lockedBy, 60_000);
    }
    return id;
  }

  private String medicalQaTask() {
    return stagingAtMedicalQa().taskId();
  }

  private String approvalTask() {
    Staged staged = stagingAtMedicalQa();
    // as the REST API logs a user in: with the groups, which authorizations are checked against
    identity.setAuthentication("reviewer", List.of(GROUP_MEDICAL_REVIEWERS));
    try {
      tasks.complete(staged.taskId(), Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "fine"));
    } finally {
      identity.clearAuthentication();
    }
    return tasks.createTaskQuery().processInstanceBusinessKey("matrix-" + staged.run())
        .taskDefinitionKey(TASK_APPROVE_PRODUCTION).singleResult().getId();
  }

  record Staged(String run, String taskId) {}

  /** A run played by its workers up to Medical QA, with the evidence the staging-tests worker writes. */
  private Staged stagingAtMedicalQa() {
    String key = UUID.randomUUID().toString();
    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS_PIPELINE, "matrix-" + key,
        Map.of(VAR_TARGET_CLASS, "fabry"));
    String develop = develop(run);
    play(develop, TOPIC_EXTRACT_DATA, Map.of(VAR_EXTRACT_ID, "x"));
    play(develop, TOPIC_PSEUDONYMIZE, Map.of(VAR_SNAPSHOT_ID, "s"));
    play(develop, TOPIC_EDA, Map.of(VAR_EDA_REPORT_ID, "e"));
    play(develop, TOPIC_PHI_SCAN, Map.of());
    play(develop, TOPIC_TRAIN_MODEL, Map.of(VAR_TRAINING_RUN_ID, "t"));
    play(develop, TOPIC_EVALUATE_MODEL, Map.of(VAR_RARE_RECALL_LOWER, 0.9, VAR_RARE_AUPRC_LOWER, 0.7,
        VAR_RARE_ROC_AUC, 0.95, VAR_RARE_PRECISION_LOWER, 0.4));
    play(develop, TOPIC_RECORD_VALIDATION, Map.of());
    String staging = runtime.createProcessInstanceQuery().superProcessInstanceId(run.getId())
        .processDefinitionKey(PROCESS_STAGING).singleResult().getId();
    UUID version = UUID.randomUUID();
    play(staging, TOPIC_REGISTER_MODEL, Map.of(VAR_MODEL_VERSION_ID, version.toString()));
    play(staging, TOPIC_DEPLOY_STAGING, Map.of());
    String evidence = evidenceStore.append(staging, version, Map.of("model", Map.of("id", version.toString())))
        .id().toString();
    play(staging, TOPIC_STAGING_TESTS, Map.of(VAR_EVIDENCE_ID, evidence));
    Map<String, Object> comparison = new java.util.HashMap<>();
    comparison.put(VAR_CHAMPION_COMPARISON_ID, UUID.randomUUID().toString());
    comparison.put(VAR_COMPARISON_STATUS, "no-champion");
    comparison.put(VAR_RECALL_DIFFERENCE_LOWER, null);
    comparison.put(VAR_AUPRC_DIFFERENCE_LOWER, null);
    play(staging, TOPIC_COMPARE_CHAMPION, comparison);
    return new Staged(key, tasks.createTaskQuery().processInstanceId(staging).singleResult().getId());
  }

  private void play(String instance, String topic, Map<String, Object> variables) {
    String id = externalTasks.createExternalTaskQuery().processInstanceId(instance).topicName(topic).singleResult()
        .getId();
    externalTasks.lock(id, "matrix-fixture", 60_000);
    externalTasks.complete(id, "matrix-fixture", variables);
  }

  private String timerJob() {
    return management.createJobQuery().processDefinitionKey(PROCESS_SCHEDULE).timers().list().get(0).getId();
  }

  private String incident() {
    String develop = develop(run());
    String execution = runtime.createExecutionQuery().processInstanceId(develop).activityId(TOPIC_EXTRACT_DATA)
        .singleResult().getId();
    return runtime.createIncident("matrix", execution, "set up by the role matrix test").getId();
  }

  private Answer deploy(String user) {
    String boundary = "matrix" + suffix();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\nmatrix\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"m.bpmn\"\r\n"
        + "Content-Type: application/xml\r\n\r\n" + bpmn() + "\r\n--" + boundary + "--\r\n";
    return rest.send(user, HttpRequest.newBuilder(URI.create(rest.base + "/engine-rest/deployment/create"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  private Answer migrate(String user) {
    String develop = develop(run());
    String definition = runtime.createProcessInstanceQuery().processInstanceId(develop).singleResult()
        .getProcessDefinitionId();
    return rest.post(user, "/engine-rest/migration/execute", """
        {"migrationPlan": {"sourceProcessDefinitionId": "%s", "targetProcessDefinitionId": "%s",
          "instructions": [{"sourceActivityIds": ["extract-data"], "targetActivityIds": ["extract-data"]}]},
         "processInstanceIds": ["%s"]}""".formatted(definition, definition, develop));
  }

  private static String bpmn() {
    String id = "matrix" + suffix();
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="https://medpipe.io/test">
          <process id="%s" isExecutable="true" camunda:historyTimeToLive="P1D">
            <startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>
          </process>
        </definitions>""".formatted(id);
  }

  private static String suffix() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }
}
