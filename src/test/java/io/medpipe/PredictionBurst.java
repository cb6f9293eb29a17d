package io.medpipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A second API node (a separate JVM from target/medpipe.jar, engine-less, on the test's database) and a burst of
 * predictions against it, collecting the ids of the acknowledged (HTTP 200) ones, so a test can stop the node
 * mid-burst and compare the prediction record with what was acknowledged.
 */
final class PredictionBurst {

  private PredictionBurst() {}

  record Burst(Process node, String url, String metricsUrl, String serviceKey, String requestPrefix, String body) {

    /** Four clients send predictions until at least {@code n} are acknowledged; the burst keeps going after. */
    List<String> runUntilAcknowledged(int n) throws Exception {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      ObjectMapper json = new ObjectMapper();
      List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger seq = new AtomicInteger();
      ExecutorService clients = Executors.newFixedThreadPool(4);
      for (int c = 0; c < 4; c++) {
        clients.submit(() -> {
          while (!stop.get()) {
            String requestId = requestPrefix + seq.incrementAndGet();
            String withId = body.substring(0, body.lastIndexOf('}')) + ", \"requestId\": \"" + requestId + "\"}";
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/predict"))
                  .header("Content-Type", "application/json").header("X-API-Key", serviceKey)
                  .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(withId)).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 200) {
                acknowledged.add(json.readTree(r.body()).path("predictionId").asText());
              }
            } catch (Exception e) {
              if (!node.isAlive()) {
                return null;
              }
            }
          }
          return null;
        });
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (acknowledged.size() < n && System.nanoTime() < deadline && node.isAlive()) {
        Thread.sleep(5);
      }
      // the node is stopped by the caller while the clients are still sending
      Thread stopper = new Thread(() -> {
        try {
          node.waitFor();
        } catch (InterruptedException ignored) {
          Thread.currentThread().interrupt();
        }
        stop.set(true);
      });
      stopper.start();
      return new ListView(acknowledged, clients, stop);
    }
  }

  /** The acknowledged ids; reading it (after the node was stopped) waits for the clients to finish. */
  private static final class ListView extends java.util.AbstractList<String> {
    private final List<String> ids;
    private final ExecutorService clients;
    private final AtomicBoolean stop;
    private List<String> done;

    ListView(List<String> ids, ExecutorService clients, AtomicBoolean stop) {
      this.ids = ids;
      this.clients = clients;
      this.stop = stop;
    }

    private List<String> done() {
      if (done == null) {
        stop.set(true);
        clients.shutdown();
        try {
          clients.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        synchronized (ids) {
          done = List.copyOf(ids);
        }
      }
      return done;
    }

    @Override
    public String get(int index) {
      return done().get(index);
    }

    @Override
    public int size() {
      return done().size();
    }
  }

  /** The API node's JVM options unless a test says otherwise. */
  static final String API_NODE_JVM = "-Xmx512m";

  /** Starts an API-only node on the given database and waits until it serves the production model. */
  static Burst againstNewApiNode(Path dir, String jdbcUrl, String password, String adminKey, String serviceKey,
                                 String durability,
                                 String body)
      throws Exception {
    return againstNewApiNode(dir, jdbcUrl, password, adminKey, serviceKey, durability, body,
        List.of(API_NODE_JVM.split(" ")),
        durability);
  }

  /**
   * Starts an API-only node with these JVM options; its log is {@code <dir>/api-node-<label>.log}, its GC and
   * safepoint log {@code target/api-node-<label>-gc.log}.
   */
  static Burst againstNewApiNode(Path dir, String jdbcUrl, String password, String adminKey, String serviceKey,
                                 String durability,
                                 String body, List<String> jvmOptions, String label)
      throws Exception {
    File jar = new File("target/medpipe.jar");
    if (!jar.exists()) {
      throw new IllegalStateException("the packaged jar is missing (failsafe runs after package)");
    }
    int port = TestPorts.free();
    int managementPort = TestPorts.free();
    String java = ProcessHandle.current().info().command().orElse("java");
    // GC and safepoint pauses of the node land in target/ so that latency tails can be matched against them
    String gcLog = new File("target/api-node-" + label + "-gc.log").getAbsolutePath();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(List.of("-Xlog:gc,safepoint:file=" + gcLog + ":uptime,level", "-jar", jar.getAbsolutePath()));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.put("SPRING_PROFILES_ACTIVE", "worker"); // no engine, no migrations ...
    env.put("MEDPIPE_SERVING_ENABLED", "true"); // ... but this node serves predictions
    env.put("MEDPIPE_WORKERS_ENABLED", "false");
    env.put("MEDPIPE_PORT", String.valueOf(port));
    env.put("MEDPIPE_MANAGEMENT_PORT", String.valueOf(managementPort));
    env.put("MEDPIPE_DB_URL", jdbcUrl);
    env.put("MEDPIPE_DB_USER", "postgres");
    env.put("MEDPIPE_DB_PASSWORD", password);
    env.put("MEDPIPE_WORKER_PASSWORD", "unused-" + UUID.randomUUID());
    env.put("MEDPIPE_PSEUDONYM_KEY", "unused-" + UUID.randomUUID());
    // the API node stores patient references with the deployment's shared reference key
    env.put("MEDPIPE_REFERENCE_KEY", "prediction-burst-reference-key");
    env.put("MEDPIPE_API_ADMIN_KEY", adminKey);
    env.put("MEDPIPE_API_SERVICE_KEY", serviceKey);
    env.put("MEDPIPE_RECORD_DURABILITY", durability);
    env.put("MEDPIPE_DATA_DIR", dir.resolve("api-node-" + label).toString());
    env.put("MEDPIPE_ARTIFACT_DIR", dir.resolve("artifacts").toString());
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("api-node-" + label + ".log").toFile());
    Process node = pb.start();
    String url = "http://localhost:" + port;
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (true) {
      if (!node.isAlive()) {
        throw new IllegalStateException("API node exited, see " + dir.resolve("api-node-" + label + ".log"));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/model"))
            .header("X-API-Key", serviceKey).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          break;
        }
      } catch (java.io.IOException notYet) {
        // still starting
      }
      if (System.nanoTime() > deadline) {
        node.destroyForcibly();
        throw new IllegalStateException("API node did not serve the production model within 3 minutes");
      }
      Thread.sleep(500);
    }
    // letters only: a request id with digit runs or years looks like an identifier and is refused
    String tag = UUID.randomUUID().toString().replaceAll("[^a-f]", "");
    return new Burst(node, url, "http://localhost:" + managementPort, serviceKey,
        "burst-" + durability + "-" + tag.substring(0, Math.min(8, tag.length())) + "-", body);
  }
}
