package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.champion.ChampionComparison;
import io.medpipe.champion.ChampionComparisons;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.pipeline.ProcessConstants;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.serving.DeploymentService;
import io.medpipe.serving.Slot;
import io.medpipe.training.TrainingRun;
import io.medpipe.training.TrainingRuns;
import io.medpipe.training.TrainingService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.task.Task;
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
 * Champion against challenger through the running application on PostgreSQL, its workers doing every step: a first
 * run has no champion and skips the comparison; a challenger that beats the champion on the same held-out patients
 * reaches Medical QA; one that loses ends at "Champion kept" and the champion keeps serving. The winner is approved
 * by people through the engine's REST API, reading the forms' shared evidence view as they do, and its model card's
 * change record names the champion, the criteria it was held to and who signed.
 *
 * <p>The champions are real registered versions, trained by TrainingService on rows made from the first run's snapshot
 * (the pipeline's extraction is seeded, so every run here extracts the same patients and holds out the same ones):
 * a weak champion trained to flag the oldest patients instead of Fabry cases, and a strong one trained on copies of the
 * very patients the challengers are held out on, under other pseudonyms, so it has seen them (which the comparison
 * cannot know) and scores them almost perfectly.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChampionChallengerIT {

  static final int PORT = TestPorts.free();
  static final String ADMIN_KEY = "champion-it-admin-key-0123456789abcdef";
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(8);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    String dir = Files.createTempDirectory("medpipe-champion").toString();
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", () -> dir);
    registry.add("medpipe.api.admin-key", () -> ADMIN_KEY);
    registry.add("medpipe.api.service-key", () -> "champion-it-service-key-0123456789abcdef");
    registry.add("medpipe.cohort.patients", () -> 5000);
    registry.add("medpipe.cohort.fabry-prevalence", () -> 0.02);
    registry.add("medpipe.training.trees", () -> 100);
  }

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired JdbcTemplate jdbc;
  @Autowired SnapshotStore snapshots;
  @Autowired TrainingService trainingService;
  @Autowired TrainingRuns trainingRuns;
  @Autowired ModelRegistry registry;
  @Autowired DeploymentService deployments;
  @Autowired ChampionComparisons comparisons;
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  /** The first run's version: its snapshot and held-out rows are what every later challenger has too. */
  static UUID firstVersion;
  static UUID strongChampion;

  @Test
  @Order(1)
  void aFirstRunHasNoChampionAndSkipsTheComparison() throws Exception {
    assertThat(registry.production()).isEmpty();
    String run = runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_PIPELINE, "champion-first").getId();
    Task qa = awaitMedicalQa(run);
    assertThat(qa).as("the first run reaches Medical QA").isNotNull();
    firstVersion = challengerOf(run);

    ChampionComparison c = comparisons.latestFor(firstVersion).orElseThrow();
    assertThat(c.status()).isEqualTo(ChampionComparison.Status.NO_CHAMPION);
    assertThat(c.championVersionId()).isNull();
    assertThat(c.runId()).isEqualTo(run);
    HttpResponse<String> answer = get("/api/v1/models/" + firstVersion + "/champion-comparison");
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    JsonNode body = json.readTree(answer.body());
    assertThat(body.path("status").asText()).isEqualTo("no-champion");
    assertThat(body.path("summary").asText()).contains("no version was in production");
    assertThat(body.path("verdict").path("challengerToMedicalQa").asBoolean()).isTrue();
    assertThat(body.path("verdict").path("reason").asText()).contains("skipped");
    runtime.deleteProcessInstance(run, "test over", true, true, true);
  }

  @Test
  @Order(2)
  void aChallengerThatBeatsTheChampionReachesMedicalQa() throws Exception {
    FeatureTable table = firstSnapshot();
    int age = featureIndex(table, "age");
    double[] ages = Arrays.stream(table.x()).mapToDouble(r -> r[age]).filter(v -> !Double.isNaN(v)).sorted()
        .toArray();
    double oldest = ages[(int) (ages.length * 0.98)];
    String other = majorityOtherClass(table);
    // a champion that learned to flag the oldest 2% of patients, whatever their disease
    UUID weak = champion("weak", table.rows(), i -> i, i -> table.x()[i][age] >= oldest ? "fabry"
        : table.classes().get(table.y()[i]).equals("fabry") ? other : table.classes().get(table.y()[i]));

    String run = runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_PIPELINE, "champion-beaten").getId();
    Task qa = awaitMedicalQa(run);
    assertThat(qa).as("a challenger that beats the champion reaches Medical QA").isNotNull();
    UUID challenger = challengerOf(run);
    ChampionComparison c = comparisons.latestFor(challenger).orElseThrow();
    assertThat(c.status()).as(String.valueOf(c.body().get("summary"))).isEqualTo(ChampionComparison.Status.COMPARED);
    assertThat(c.championVersionId()).isEqualTo(weak);
    assertThat(c.rareCases()).isGreaterThanOrEqualTo(10);
    assertThat(c.recallDifferenceLower()).isGreaterThan(0);
    assertThat(c.auprcDifferenceLower()).isGreaterThan(0);
    JsonNode body = json.readTree(get("/api/v1/models/" + challenger + "/champion-comparison").body());
    HistoricActivityInstance step = history.createHistoricActivityInstanceQuery().activityId("compare-champion")
        .processInstanceId(c.processInstanceId()).singleResult();
    System.out.printf("champion comparison (weak champion): %d patients (%d rare), %d resamples, step %d ms; %s%n",
        c.rows(), c.rareCases(), body.path("bootstrap").path("replicates").asInt(), step.getDurationInMillis(),
        c.body().get("summary"));
    assertThat(body.path("bootstrap").path("replicates").asInt()).isEqualTo(2000);
    assertThat(body.path("bootstrap").path("seed").asLong()).isEqualTo(20240611L);
    assertThat(body.path("models").path("champion").path("reliability").size()).isEqualTo(10);
    assertThat(body.path("models").path("challenger").path("recall").path("lower").asDouble())
        .isGreaterThan(body.path("models").path("champion").path("recall").path("upper").asDouble());
    assertThat(body.path("verdict").path("challengerToMedicalQa").asBoolean()).isTrue();
    assertThat(deployments.current(Slot.PRODUCTION)).contains(weak);

    // people approve it: the change record of its model card names the champion, the criteria and the signers
    assertFormIncludesTheSharedEvidenceView("reviewer", qa.getId());
    assertThat(complete(qa.getId(), "reviewer", "qaDecision", "approve", "qaComment", "better than the champion")
        .statusCode()).isEqualTo(204);
    Task production = awaitTask(run, ProcessConstants.TASK_APPROVE_PRODUCTION);
    assertFormIncludesTheSharedEvidenceView("devops", production.getId());
    assertThat(complete(production.getId(), "devops", "deployDecision", "approve", "deployComment", "window ok")
        .statusCode()).isEqualTo(204);
    awaitEnd(run);
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(run).activityType("noneEndEvent")
        .list()).extracting(HistoricActivityInstance::getActivityName).containsExactly("Deployed");
    assertThat(deployments.current(Slot.PRODUCTION)).contains(challenger);
    JsonNode record = json.readTree(get("/api/v1/models/" + challenger + "/card.json").body()).path("changeRecord");
    assertThat(record.path("champion").asText()).isEqualTo(registry.get(weak).label());
    assertThat(record.path("changes").path("data").path("champion").path("snapshotId").asText())
        .isEqualTo(registry.get(weak).snapshotId().toString());
    assertThat(record.path("changes").path("calibration").path("this").asText()).isNotBlank();
    assertThat(record.path("acceptanceCriteria").path("clinicalValidation").path("rules").size()).isEqualTo(4);
    assertThat(record.path("acceptanceCriteria").path("championRule").path("reason").asText())
        .contains("not worse than the champion");
    assertThat(record.path("championComparison").path("status").asText()).isEqualTo("compared");
    List<String> approvals = new ArrayList<>();
    record.path("approvals").forEach(a -> approvals.add(a.path("step").asText() + " " + a.path("signedBy").asText()
        + " " + a.path("decision").asText() + " " + a.path("valid").asBoolean()));
    assertThat(approvals).containsExactly("Medical QA review reviewer approve true",
        "production approval devops approve true");
    String card = get("/api/v1/models/" + challenger + "/card").body();
    assertThat(card).contains("<h2>Change record</h2>", "against the champion " + registry.get(weak).label(),
        "champion rule (processes/champion-challenger.dmn)", "<td>devops</td>")
        .doesNotContain("better than the champion");
    assertThat(card.indexOf("<h2>Change record</h2>")).isLessThan(card.indexOf("<h2>Limitations</h2>"));
  }

  @Test
  @Order(3)
  void aChallengerThatLosesEndsAtChampionKeptAndTheChampionKeepsServing() throws Exception {
    FeatureTable table = firstSnapshot();
    int[] heldOut = trainingRuns.find(registry.get(firstVersion).trainingRunId()).testRows();
    // four copies of each held-out patient under new pseudonyms: whatever rows the champion's own split holds out,
    // it trains on almost every one of these patients
    strongChampion = champion("strong", heldOut.length * 4, i -> heldOut[i % heldOut.length],
        i -> table.classes().get(table.y()[heldOut[i % heldOut.length]]));

    String run = runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_PIPELINE, "champion-kept").getId();
    awaitEnd(run);
    assertThat(tasks.createTaskQuery().processInstanceBusinessKey("champion-kept").count()).isZero();
    HistoricProcessInstance staging = history.createHistoricProcessInstanceQuery().superProcessInstanceId(run)
        .processDefinitionKey(ProcessConstants.PROCESS_STAGING).singleResult();
    List<String> ends = history.createHistoricActivityInstanceQuery().processInstanceId(staging.getId())
        .activityType("noneEndEvent").list().stream().map(HistoricActivityInstance::getActivityName).toList();
    assertThat(ends).containsExactly("Champion kept");
    // and the run says so too, not "Rejected by medical QA"
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(run).activityType("noneEndEvent")
        .list().stream().map(HistoricActivityInstance::getActivityName).toList()).containsExactly("Champion kept");
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(run)
        .variableName(ProcessConstants.VAR_STAGING_OUTCOME).singleResult().getValue()).isEqualTo("champion-kept");

    UUID challenger = challengerOf(run);
    assertThat(trainingRuns.find(registry.get(challenger).trainingRunId()).testRows())
        .as("the challenger is held out on the same patients as the first run").isEqualTo(heldOut);
    ChampionComparison c = comparisons.latestFor(challenger).orElseThrow();
    assertThat(c.status()).isEqualTo(ChampionComparison.Status.COMPARED);
    assertThat(c.championVersionId()).isEqualTo(strongChampion);
    System.out.printf("champion comparison (strong champion): %s%n", c.body().get("summary"));
    assertThat(Math.min(c.recallDifferenceLower(), c.auprcDifferenceLower())).isLessThanOrEqualTo(-0.05);
    ChampionComparisons.Verdict verdict = comparisons.verdict(c.id()).orElseThrow();
    assertThat(verdict.proceed()).isFalse();
    assertThat(verdict.reason()).startsWith("champion kept");
    // nothing was deployed: the champion serves, and the registry still names it
    assertThat(deployments.current(Slot.PRODUCTION)).contains(strongChampion);
    assertThat(registry.production().map(ModelVersion::id)).contains(strongChampion);
    assertThat(registry.get(challenger).stage()).isNotEqualTo(ModelVersion.Stage.PRODUCTION);
  }

  @Test
  @Order(4)
  void badIdsOnTheComparisonRouteAreProblems() throws Exception {
    HttpResponse<String> notAnId = get("/api/v1/models/not-a-uuid/champion-comparison");
    assertThat(notAnId.statusCode()).isEqualTo(400);
    assertProblem(notAnId, "id");
    HttpResponse<String> unknown = get("/api/v1/models/" + UUID.randomUUID() + "/champion-comparison");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertProblem(unknown, "no model version");
    HttpResponse<String> neverChallenged = get("/api/v1/models/" + strongChampion + "/champion-comparison");
    assertThat(neverChallenged.statusCode()).isEqualTo(404);
    assertProblem(neverChallenged, "has not been compared");
  }

  private void assertProblem(HttpResponse<String> r, String detail) throws Exception {
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
        .startsWith("application/problem+json"));
    assertThat(r.body()).contains(detail).doesNotContain("Exception").doesNotContain("at io.");
  }

  /**
   * Trains, evaluates and registers a version on rows made from the first snapshot (row {@code source(i)}'s features,
   * label {@code label(i)}, a new pseudonym), and puts it in production, serving.
   */
  private UUID champion(String name, int rows, java.util.function.IntUnaryOperator source, IntFunction<String> label) {
    FeatureTable table = firstSnapshot();
    List<SnapshotStore.Row> made = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      made.add(new SnapshotStore.Row(name + "-" + i, table.x()[source.applyAsInt(i)], label.apply(i)));
    }
    Snapshot snapshot = snapshots.create(table.features(), made, "champion-it", "champion-it");
    TrainingRun run = trainingService.train(snapshot.id(), "fabry", "champion-it");
    trainingService.evaluate(run.id());
    ModelVersion version = registry.register(run.id(), "champion-it");
    deployments.deploy(Slot.PRODUCTION, version.id(), "champion-it");
    registry.setStage(version.id(), ModelVersion.Stage.PRODUCTION, "champion-it", "champion-it");
    return version.id();
  }

  private FeatureTable firstSnapshot() {
    return snapshots.table(registry.get(firstVersion).snapshotId());
  }

  private static int featureIndex(FeatureTable table, String name) {
    for (int f = 0; f < table.features().size(); f++) {
      if (table.features().get(f).name().equals(name)) {
        return f;
      }
    }
    throw new AssertionError("no feature " + name);
  }

  private static String majorityOtherClass(FeatureTable table) {
    int[] counts = table.classCounts();
    int best = -1;
    for (int c = 0; c < counts.length; c++) {
      if (!table.classes().get(c).equals("fabry") && (best < 0 || counts[c] > counts[best])) {
        best = c;
      }
    }
    return table.classes().get(best);
  }

  private UUID challengerOf(String run) {
    HistoricProcessInstance staging = history.createHistoricProcessInstanceQuery().superProcessInstanceId(run)
        .processDefinitionKey(ProcessConstants.PROCESS_STAGING).singleResult();
    return UUID.fromString((String) history.createHistoricVariableInstanceQuery().processInstanceId(staging.getId())
        .variableName(ProcessConstants.VAR_MODEL_VERSION_ID).singleResult().getValue());
  }

  /** The run's Medical QA task, or null if the run ended first (then the assertions say why). */
  private Task awaitMedicalQa(String run) throws InterruptedException {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      HistoricProcessInstance staging = history.createHistoricProcessInstanceQuery().superProcessInstanceId(run)
          .processDefinitionKey(ProcessConstants.PROCESS_STAGING).singleResult();
      if (staging != null) {
        Task qa = tasks.createTaskQuery().processInstanceId(staging.getId())
            .taskDefinitionKey(ProcessConstants.TASK_MEDICAL_QA).singleResult();
        if (qa != null) {
          return qa;
        }
      }
      assertThat(runtime.createIncidentQuery().count()).as("incidents: " + runtime.createIncidentQuery().list()
          .stream().map(i -> i.getActivityId() + ": " + i.getIncidentMessage()).toList()).isZero();
      if (history.createHistoricProcessInstanceQuery().processInstanceId(run).finished().count() > 0) {
        return null;
      }
      Thread.sleep(500);
    }
    return null;
  }

  /** The run's open task of this key (in any of its stages). */
  private Task awaitTask(String run, String key) throws InterruptedException {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (HistoricProcessInstance stage : history.createHistoricProcessInstanceQuery().superProcessInstanceId(run)
          .list()) {
        Task task = tasks.createTaskQuery().processInstanceId(stage.getId()).taskDefinitionKey(key).singleResult();
        if (task != null) {
          return task;
        }
      }
      assertThat(runtime.createIncidentQuery().count()).as("incidents").isZero();
      Thread.sleep(500);
    }
    throw new AssertionError("no " + key + " task within " + RUN_TIMEOUT);
  }

  /**
   * What the form's script does in Tasklist, as the user: the deployed form includes the shared evidence view, which is
   * found among the resources of the deployment the task's process comes from, and readable.
   */
  private void assertFormIncludesTheSharedEvidenceView(String user, String taskId) throws Exception {
    assertThat(getAs(user, "/engine-rest/task/" + taskId + "/deployed-form").body())
        .contains("ng-include=\"sharedView\"", "/champion-comparison");
    String definition = json.readTree(getAs(user, "/engine-rest/task/" + taskId).body())
        .path("processDefinitionId").asText();
    String deployment = json.readTree(getAs(user, "/engine-rest/process-definition/" + definition).body())
        .path("deploymentId").asText();
    JsonNode resources = json.readTree(getAs(user, "/engine-rest/deployment/" + deployment + "/resources").body());
    String resource = null;
    for (JsonNode r : resources) {
      resource = r.path("name").asText().equals("forms/sign-off-evidence.html") ? r.path("id").asText() : resource;
    }
    assertThat(resource).as("forms/sign-off-evidence.html deployed with " + definition).isNotNull();
    HttpResponse<String> view = getAs(user, "/engine-rest/deployment/" + deployment + "/resources/" + resource
        + "/data");
    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.body()).contains("Champion against challenger", "Why this retrain", "<svg");
  }

  private HttpResponse<String> getAs(String user, String path) throws Exception {
    String basic = java.util.Base64.getEncoder().encodeToString((user + ":demo").getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + path))
        .header("Authorization", "Basic " + basic).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Completes a task through the engine's REST API as the user (HTTP Basic, the demo password). */
  private HttpResponse<String> complete(String taskId, String user, String decisionVar, String decision,
                                        String commentVar, String comment)
      throws Exception {
    String body = "{\"variables\": {\"" + decisionVar + "\": {\"value\": \"" + decision + "\"}, \"" + commentVar
        + "\": {\"value\": \"" + comment + "\"}}}";
    String basic = java.util.Base64.getEncoder().encodeToString((user + ":demo").getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/engine-rest/task/" + taskId
        + "/complete")).header("Authorization", "Basic " + basic).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private void awaitEnd(String run) throws InterruptedException {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (history.createHistoricProcessInstanceQuery().processInstanceId(run).finished().count() == 0) {
      assertThat(runtime.createIncidentQuery().count()).as("incidents: " + runtime.createIncidentQuery().list()
          .stream().map(i -> i.getActivityId() + ": " + i.getIncidentMessage()).toList()).isZero();
      assertThat(tasks.createTaskQuery().taskDefinitionKey(ProcessConstants.TASK_MEDICAL_QA).count())
          .as("no Medical QA task is open").isZero();
      assertThat(System.nanoTime()).as("waiting for the run to end").isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + path))
        .header("X-API-Key", ADMIN_KEY).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
