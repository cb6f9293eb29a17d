package io.medpipe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.ehr.DriftScenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code medpipe scenario}: replays a drift scenario of the synthetic cohort ({@link DriftScenario}) through the
 * production prediction API with an API key, in batches, and sends the clinician's confirmed diagnosis as feedback
 * for a share of the predictions after a delay (labels arrive late). What the monitor then finds is the point.
 */
@Command(name = "scenario", mixinStandardHelpOptions = true,
    description = "Replay a drift scenario through the prediction API, with delayed clinician feedback.")
final class ScenarioCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "SCENARIO", description = "no-drift, older-population, creatinine-assay,"
      + " prevalence, concept-change, lab-not-ordered (--list describes them)") String scenario;

  @Option(names = "--list", description = "list the scenarios and exit") boolean list;

  @Option(names = "--patients", defaultValue = "2000",
      description = "patients to replay (default ${DEFAULT-VALUE})") int patients;

  @Option(names = "--seed", defaultValue = "1001", description = "seed of the patients (default ${DEFAULT-VALUE}; "
      + "use another than the cohort the model was trained on)") long seed;

  @Option(names = "--feedback", defaultValue = "0.3", description = "share of predictions that get the confirmed "
      + "diagnosis as feedback (default ${DEFAULT-VALUE})") double feedback;

  @Option(names = "--feedback-delay", defaultValue = "PT5S", description = "how long after its prediction the "
      + "feedback is sent (default ${DEFAULT-VALUE})") Duration feedbackDelay;

  @Option(names = "--batch", defaultValue = "100",
      description = "predictions per request (default ${DEFAULT-VALUE})") int batch;

  @Option(names = "--url", defaultValue = "${env:MEDPIPE_URL:-http://localhost:8080}",
      description = "medpipe's base URL (env MEDPIPE_URL; default ${DEFAULT-VALUE})") String url;

  @Option(names = "--api-key", defaultValue = "${env:MEDPIPE_API_KEY}",
      description = "an API key with role admin (or predict and feedback) (env MEDPIPE_API_KEY)") String apiKey;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  private record Pending(long dueNanos, String predictionId, String predicted, String truth) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (list) {
      for (DriftScenario s : DriftScenario.values()) {
        out.printf("%-18s %s%n", s.id(), s.description());
      }
      out.flush();
      return 0;
    }
    if (scenario == null) {
      throw new ParameterException(spec.commandLine(), "name a scenario (see --list)");
    }
    DriftScenario chosen;
    try {
      chosen = DriftScenario.of(scenario);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (patients < 1 || batch < 1 || batch > 100 || !(feedback >= 0 && feedback <= 1)) {
      throw new ParameterException(spec.commandLine(), "--patients >= 1, --batch 1..100 and --feedback in [0, 1]");
    }
    if (apiKey == null || apiKey.isBlank()) {
      throw new EngineApi.Failure("no API key: set MEDPIPE_API_KEY or pass --api-key");
    }
    List<DriftScenario.Case> cases = chosen.generate(patients, seed);
    SplittableRandom random = new SplittableRandom(seed ^ 0x3C6EF372FE94F82AL);
    Deque<Pending> pending = new ArrayDeque<>();
    Map<String, Integer> answered = new TreeMap<>();
    int sent = 0;
    int feedbackSent = 0;
    long start = System.nanoTime();
    for (int from = 0; from < cases.size(); from += batch) {
      List<DriftScenario.Case> chunk = cases.subList(from, Math.min(cases.size(), from + batch));
      List<Map<String, Object>> requests = new ArrayList<>();
      for (DriftScenario.Case c : chunk) {
        requests.add(Map.of("features", c.features()));
      }
      JsonNode response = post("/api/v1/predict/batch?explain=true", Map.of("requests", requests));
      JsonNode predictions = response.path("predictions");
      for (int i = 0; i < chunk.size(); i++) {
        JsonNode p = predictions.get(i);
        String predicted = p.path("predictedClass").asText();
        answered.merge(predicted, 1, Integer::sum);
        if (random.nextDouble() < feedback) {
          pending.add(new Pending(System.nanoTime() + feedbackDelay.toNanos(), p.path("predictionId").asText(),
              predicted, chunk.get(i).label()));
        }
      }
      sent += chunk.size();
      feedbackSent += sendDue(pending, false);
    }
    feedbackSent += sendDue(pending, true);
    out.printf("%s: %d predictions in %.1f s (answered %s), feedback for %d (after %s)%n", chosen.id(), sent,
        (System.nanoTime() - start) / 1e9, answered, feedbackSent, feedbackDelay);
    out.flush();
    return 0;
  }

  /** Sends the feedback whose time has come (all of it with {@code all}, waiting for each); returns how many. */
  private int sendDue(Deque<Pending> pending, boolean all) throws Exception {
    int n = 0;
    while (!pending.isEmpty() && (all || pending.peek().dueNanos() <= System.nanoTime())) {
      Pending p = pending.poll();
      long wait = p.dueNanos() - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("predictionId", p.predictionId());
      body.put("verdict", p.predicted().equals(p.truth()) ? "accept" : "override");
      body.put("confirmedClass", p.truth());
      post("/api/v1/feedback", body);
      n++;
    }
    return n;
  }

  private JsonNode post(String path, Object body) throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response = http.send(HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
          .header("Content-Type", "application/json").header("X-API-Key", apiKey).timeout(Duration.ofSeconds(60))
          .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new EngineApi.Failure("cannot connect to medpipe at " + url + " (is it running? set --url or MEDPIPE_URL)");
    }
    if (response.statusCode() / 100 != 2) {
      JsonNode problem = json.readTree(response.body().isEmpty() ? "{}" : response.body());
      throw new EngineApi.Failure(path + " answered " + response.statusCode() + ": "
          + problem.path("detail").asText(response.body()));
    }
    return json.readTree(response.body());
  }
}
