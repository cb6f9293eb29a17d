package io.medpipe.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.training.TrainingRuns;
import io.medpipe.training.model.Classifier;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * Probes a deployed model through its real HTTP API, as a client would: the staging checks and the production smoke
 * test. Known held-out cases must come back from the expected version with the decision the registered model was
 * validated with ({@link Classifier#predict}, the cost matrix applied) under the same stated rule, and a burst of
 * requests measures latency.
 */
@Service
public class ServingProbe {

  /** What the probe found; {@code passed} is the gate. */
  public record Report(String slot, int integrationCases, int integrationPassed, List<String> failures, int requests,
                       double p50Ms, double p95Ms, double p99Ms, double maxMs, double maxP99Ms, boolean passed) {}

  private static final Duration SWITCH_WAIT = Duration.ofSeconds(30);

  private final ModelRegistry registry;
  private final TrainingRuns training;
  private final SnapshotStore snapshots;
  private final ObjectMapper json;
  private final ServingProperties serving;
  private final StagingProperties staging;
  private final ApiProperties api;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public ServingProbe(ModelRegistry registry, TrainingRuns training, SnapshotStore snapshots, ObjectMapper json,
                      ServingProperties serving, StagingProperties staging, ApiProperties api) {
    this.registry = registry;
    this.training = training;
    this.snapshots = snapshots;
    this.json = json;
    this.serving = serving;
    this.staging = staging;
    this.api = api;
  }

  /** Integration cases plus a latency burst against the staging API. */
  public Report staging(UUID versionId) {
    return run(Slot.STAGING, versionId, staging.integrationCases(), staging.burstRequests());
  }

  /** A few known cases against the production API, no burst. */
  public Report smoke(UUID versionId) {
    return run(Slot.PRODUCTION, versionId, 4, 0);
  }

  private Report run(Slot slot, UUID versionId, int caseCount, int burst) {
    ModelVersion version = registry.get(versionId);
    Classifier model = registry.load(version);
    FeatureTable held = snapshots.table(version.snapshotId()).subset(training.find(version.trainingRunId()).testRows());
    List<Integer> cases = new ArrayList<>(pickCases(held, caseCount));
    int differing = firstWhereDecisionIsNotArgMax(held, model);
    if (differing >= 0 && !cases.contains(differing)) {
      cases.add(differing); // a case that an API answering the most probable class would get wrong
    }
    String url = serving.url().replaceAll("/+$", "")
        + (slot == Slot.STAGING ? "/api/v1/staging/predict" : "/api/v1/predict");
    List<String> failures = new ArrayList<>();
    waitForVersion(url, requestBody(held, cases.get(0)), versionId, failures);
    int passed = 0;
    if (failures.isEmpty()) {
      for (int row : cases) {
        String problem = check(url, held, row, model, versionId);
        if (problem == null) {
          passed++;
        } else {
          failures.add("case " + row + ": " + problem);
        }
      }
    }
    double[] latencies = new double[burst];
    for (int i = 0; i < burst && failures.isEmpty(); i++) {
      String body = requestBody(held, cases.get(i % cases.size()));
      long start = System.nanoTime();
      int status = post(url, body).statusCode();
      latencies[i] = (System.nanoTime() - start) / 1e6;
      if (status != 200) {
        failures.add("burst request " + i + " answered HTTP " + status);
      }
    }
    Arrays.sort(latencies);
    double p99 = percentile(latencies, 0.99);
    double maxP99 = staging.maxP99Ms();
    boolean ok = failures.isEmpty() && passed == cases.size() && (burst == 0 || p99 <= maxP99);
    if (failures.isEmpty() && burst > 0 && p99 > maxP99) {
      failures.add(String.format("p99 latency %.1f ms exceeds the limit of %.0f ms", p99, maxP99));
    }
    return new Report(slot.id(), cases.size(), passed, failures, burst, percentile(latencies, 0.5),
        percentile(latencies, 0.95), p99, burst == 0 ? 0 : latencies[burst - 1], maxP99, ok);
  }

  /** The slot switches when the API node re-reads the slot table; wait until it serves the expected version. */
  private void waitForVersion(String url, String body, UUID versionId, List<String> failures) {
    long deadline = System.nanoTime() + SWITCH_WAIT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = post(url, body);
      if (response.statusCode() == 200
          && versionId.toString().equals(read(response.body()).path("model").path("id").asText())) {
        return;
      }
      last = "HTTP " + response.statusCode() + " " + read(response.body()).path("model").path("id").asText("");
      sleep(250);
    }
    failures
        .add("the API did not serve version " + versionId + " within " + SWITCH_WAIT.toSeconds() + " s (" + last + ")");
  }

  private String check(String url, FeatureTable held, int row, Classifier model, UUID versionId) {
    HttpResponse<String> response = post(url, requestBody(held, row));
    if (response.statusCode() != 200) {
      return "HTTP " + response.statusCode();
    }
    JsonNode body = read(response.body());
    if (!versionId.toString().equals(body.path("model").path("id").asText())) {
      return "answered by version " + body.path("model").path("id").asText();
    }
    if (PredictionApi.PredictionResponse.INSUFFICIENT_DATA.equals(body.path("decision").asText())) {
      // a held-out row with too few of the model's features: the API rightly declines, and says why
      return body.path("inputCompleteness").isNumber() && body.path("predictedClass").isMissingNode()
          ? null : "declined a decision without saying how complete the input was";
    }
    String expectedClass = model.classes().get(model.predict(held.x()[row]));
    if (!expectedClass.equals(body.path("predictedClass").asText())) {
      return "predicted " + body.path("predictedClass").asText() + ", the registered model decides " + expectedClass;
    }
    String expectedRule = DecisionRule.of(model).rule();
    if (!expectedRule.equals(body.path("decisionRule").asText())) {
      return "decision rule " + body.path("decisionRule").asText() + ", the registered model's is " + expectedRule;
    }
    double sum = 0;
    for (JsonNode p : body.path("probabilities")) {
      sum += p.asDouble();
    }
    if (Math.abs(sum - 1) > 1e-6) {
      return "probabilities add up to " + sum;
    }
    if (body.path("explanation").path("contributions").isEmpty()) {
      return "no explanation";
    }
    return null;
  }

  /** The first held-out row whose validated decision differs from the most probable class, or -1. */
  static int firstWhereDecisionIsNotArgMax(FeatureTable held, Classifier model) {
    for (int i = 0; i < held.rows(); i++) {
      double[] proba = model.predictProba(held.x()[i]);
      if (model.decide(proba) != Classifier.argMax(proba)) {
        return i;
      }
    }
    return -1;
  }

  /** Up to n held-out rows, taken round-robin over the classes so the rare class is always among them. */
  static List<Integer> pickCases(FeatureTable held, int n) {
    List<List<Integer>> byClass = new ArrayList<>();
    for (int k = 0; k < held.classes().size(); k++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < held.rows(); i++) {
      byClass.get(held.y()[i]).add(i);
    }
    List<Integer> picked = new ArrayList<>();
    for (int round = 0; picked.size() < Math.min(n, held.rows()); round++) {
      for (List<Integer> rows : byClass) {
        if (round < rows.size() && picked.size() < n) {
          picked.add(rows.get(round));
        }
      }
    }
    return picked;
  }

  private String requestBody(FeatureTable held, int row) {
    Map<String, Object> features = new LinkedHashMap<>();
    for (int j = 0; j < held.features().size(); j++) {
      Feature f = held.features().get(j);
      Object value = RequestEncoder.decode(f, held.x()[row][j]);
      if (value != null) {
        features.put(f.name(), value);
      }
    }
    try {
      return json.writeValueAsString(Map.of("features", features));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> post(String url, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").header("X-API-Key", serviceKey())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the prediction API at " + url + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The service key (role predict) the API node accepts for these tests; never logged. */
  private String serviceKey() {
    String key = api.serviceKey();
    if (key == null || key.isBlank()) {
      throw new IllegalStateException("medpipe.api.service-key (MEDPIPE_API_SERVICE_KEY) is not configured");
    }
    return key.trim();
  }

  private JsonNode read(String body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      return json.createObjectNode();
    }
  }

  private static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
