package io.medpipe.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP load generator for the prediction API (a command, not a test): prints p50/p90/p99/max latency and
 * throughput for predict without explanation, predict with explanation, and a batch of 100.
 *
 * <p>Fixed-rate scenarios are open-loop: requests are due at a fixed schedule and latency is measured from when a
 * request was DUE, so a stalled server is not hidden by a client that waits (no coordinated omission).
 * Max-throughput scenarios are closed-loop with a fixed number of concurrent clients.
 *
 * <p>Because latency counts from when a request was due, a stall of the load generator's own JVM (GC, safepoints, a
 * descheduled thread) counts as server latency too. A stall meter (a thread that sleeps 1 ms and records how late it
 * wakes, like jHiccup) therefore runs alongside, and each scenario prints the generator's own worst stalls: a tail
 * that matches them is the client's, not the server's. Run it in a JVM of its own (as {@code PipelineEndToEndIT}
 * does against the API node) rather than inside a busy one.
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:$(cat target/cp.txt) io.medpipe.bench.LoadGenerator \
 *     http://localhost:8080 "$(cat data/api-admin.key)" [seconds-per-scenario] [rate] [all|fixed-rate] \
 *     [management-url, default http://localhost:8081]
 * </pre>
 */
public final class LoadGenerator {

  /** A valid request for the demo cohort's feature spec. */
  public static final String BODY = "{\"features\": {\"age\": 52, \"sex\": \"F\", \"creatinine\": 1.1, \"egfr\": 80, "
      + "\"uacr\": 40, \"acroparesthesia\": true, \"angiokeratoma\": false}}";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String key;
  /** Where the actuator answers: medpipe's management port (8081 by default, this host only). */
  private final String metricsBase;
  private final StallMeter stalls = new StallMeter();

  /** Against a medpipe whose actuator is on the default management port of the same host. */
  public LoadGenerator(String base, String key) {
    this(base, key, URI.create(base).getScheme() + "://" + URI.create(base).getHost() + ":8081");
  }

  public LoadGenerator(String base, String key, String metricsBase) {
    this.base = base.replaceAll("/+$", "");
    this.key = key;
    this.metricsBase = metricsBase.replaceAll("/+$", "");
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: LoadGenerator <base-url> <api-key> [seconds-per-scenario=20] [rate=200] "
          + "[all|fixed-rate] [management-url=http://<host>:8081]");
      System.exit(2);
    }
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int rate = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    LoadGenerator generator = args.length > 5 ? new LoadGenerator(args[0], args[1], args[5])
        : new LoadGenerator(args[0], args[1]);
    generator.run(seconds, rate, args.length > 4 ? args[4] : "all");
    System.exit(0); // the HTTP client's threads must not keep a separate generator JVM alive
  }

  /** Every scenario, one after another, after a warm-up. */
  public void runAll(int seconds, int rate) throws Exception {
    run(seconds, rate, "all");
  }

  /** {@code "all"} scenarios, or only the warm-up and the two {@code "fixed-rate"} ones. */
  public void run(int seconds, int rate, String scenarios) throws Exception {
    String batch = batchBody(100);
    System.out.printf("load generator: %d cores, %s %s, %d s per scenario%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
        seconds);
    stalls.start();
    closedLoop("warm-up (explained)", "/api/v1/predict", BODY, 4, Math.max(5, seconds / 2), false);
    fixedRate("predict, no explanation @" + rate + "/s", "/api/v1/predict?explain=false", BODY, rate, seconds);
    fixedRate("predict, explained @" + rate + "/s", "/api/v1/predict", BODY, rate, seconds);
    if (scenarios.equals("fixed-rate")) {
      return;
    }
    closedLoop("predict, no explanation, max throughput (8 clients)", "/api/v1/predict?explain=false", BODY, 8,
        seconds, true);
    closedLoop("predict, explained, max throughput (8 clients)", "/api/v1/predict", BODY, 8, seconds, true);
    closedLoop("batch of 100, explained (2 clients)", "/api/v1/predict/batch", batch, 2, seconds, true);
    closedLoop("batch of 100, no explanation (2 clients)", "/api/v1/predict/batch?explain=false", batch, 2, seconds,
        true);
  }

  static String batchBody(int n) {
    return "{\"requests\": [" + String.join(",", Collections.nCopies(n, BODY)) + "]}";
  }

  private int send(String path, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("X-API-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * The server's own view: the cumulative buckets of its {@code medpipe.prediction.latency} histogram (production
   * slot; validation, prediction, explanation and the wait for the prediction record, without HTTP, JSON and
   * filters) from {@code /actuator/prometheus} on the management port, bucket upper bound in seconds to count; empty if unavailable.
   */
  java.util.TreeMap<Double, Long> serverHistogram() {
    return serverHistogram("medpipe_prediction_latency_seconds_bucket{", "slot=\"production\"");
  }

  /** The cumulative buckets of one Prometheus histogram whose lines start with {@code prefix} and contain {@code tag}. */
  java.util.TreeMap<Double, Long> serverHistogram(String prefix, String tag) {
    java.util.TreeMap<Double, Long> buckets = new java.util.TreeMap<>();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(metricsBase + "/actuator/prometheus"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        if (line.startsWith(prefix) && line.contains(tag)) {
          int le = line.indexOf("le=\"") + 4;
          String bound = line.substring(le, line.indexOf('"', le));
          double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
          // summed over the other tags (single and batch requests): the phases that read it send one kind only, so a
          // phase's delta is its own kind; a phase mixing both would blend their percentiles
          buckets.merge(upper, (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Long::sum);
        }
      }
    } catch (Exception e) {
      buckets.clear();
    }
    return buckets;
  }

  /** "server p50 <= x ms, p99 <= y ms" between two histogram readings (bucket upper bounds), or "n/a". */
  static String serverPercentiles(java.util.TreeMap<Double, Long> before, java.util.TreeMap<Double, Long> after) {
    return percentiles("server (in PredictionService):", before, after);
  }

  static String percentiles(String label, java.util.TreeMap<Double, Long> before,
                            java.util.TreeMap<Double, Long> after) {
    if (after.isEmpty()) {
      return label + " n/a";
    }
    long total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0L);
    if (total <= 0) {
      return label + " n/a";
    }
    StringBuilder out = new StringBuilder(label);
    for (double q : new double[] {0.5, 0.99}) {
      for (var bucket : after.entrySet()) {
        long count = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0L);
        if (count >= Math.ceil(q * total)) {
          out.append(String.format(Locale.ROOT, " p%.0f <= %.1f ms", q * 100, bucket.getKey() * 1000));
          break;
        }
      }
    }
    return out.toString();
  }

  /** Open loop: one request due every 1/rate s, sent by a pool large enough not to queue behind slow ones. */
  void fixedRate(String name, String path, String body, int rate, int seconds) throws Exception {
    stalls.reset();
    java.util.TreeMap<Double, Long> before = serverHistogram();
    java.util.TreeMap<Double, Long> waitBefore = serverHistogram("medpipe_prediction_record_wait_seconds_bucket{", "");
    int total = rate * seconds;
    long[] latency = new long[total];
    AtomicInteger errors = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(64);
    long start = System.nanoTime() + 50_000_000L;
    long interval = 1_000_000_000L / rate;
    for (int i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      int index = i;
      pool.submit(() -> {
        int status = send(path, body);
        latency[index] = System.nanoTime() - due;
        if (status != 200) {
          errors.incrementAndGet();
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(2, TimeUnit.MINUTES);
    double elapsed = (System.nanoTime() - start) / 1e9;
    print(name, latency, total, elapsed, errors.get(), 1);
    System.out.println("    " + serverPercentiles(before, serverHistogram()) + "; "
        + percentiles("of it waiting for the prediction record's commit (all slots):", waitBefore,
            serverHistogram("medpipe_prediction_record_wait_seconds_bucket{", "")));
  }

  /** Closed loop: {@code clients} threads each send the next request as soon as the last one is answered. */
  void closedLoop(String name, String path, String body, int clients, int seconds, boolean report) throws Exception {
    stalls.reset();
    List<long[]> perClient = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger errors = new AtomicInteger();
    AtomicLong count = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    for (int c = 0; c < clients; c++) {
      pool.submit(() -> {
        long[] mine = new long[1 << 20];
        int n = 0;
        while (System.nanoTime() < end && n < mine.length) {
          long t = System.nanoTime();
          int status = send(path, body);
          mine[n++] = System.nanoTime() - t;
          if (status != 200) {
            errors.incrementAndGet();
          }
        }
        long[] trimmed = new long[n];
        System.arraycopy(mine, 0, trimmed, 0, n);
        perClient.add(trimmed);
        count.addAndGet(n);
      });
    }
    pool.shutdown();
    pool.awaitTermination(seconds + 120L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (report) {
      long[] all = perClient.stream().flatMapToLong(java.util.Arrays::stream).toArray();
      int perRequest = path.contains("batch") ? 100 : 1;
      print(name, all, all.length, elapsed, errors.get(), perRequest);
    }
  }

  private void print(String name, long[] latencyNanos, int n, double seconds, int errors, int perRequest) {
    long[] sorted = latencyNanos.clone();
    java.util.Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "%-55s n=%6d  p50=%7.2f ms  p90=%7.2f ms  p99=%7.2f ms  max=%8.2f ms  "
        + "%7.1f req/s%s  errors=%d  client stalls: %s%n", name, n, ms(sorted, 0.50), ms(sorted, 0.90),
        ms(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, n / seconds,
        perRequest > 1 ? String.format(Locale.ROOT, " (%.0f predictions/s)", n * perRequest / seconds) : "", errors,
        stalls.summary());
  }

  /** Measures this JVM's own stalls: how much later than asked a 1 ms sleep wakes up. */
  static final class StallMeter {
    private final AtomicLong worst = new AtomicLong();
    private final AtomicLong over2ms = new AtomicLong();
    private final AtomicLong stalledNanos = new AtomicLong();

    void start() {
      Thread t = new Thread(() -> {
        while (true) {
          long before = System.nanoTime();
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
          long late = System.nanoTime() - before - 1_000_000L;
          worst.accumulateAndGet(late, Math::max);
          if (late > 2_000_000L) {
            over2ms.incrementAndGet();
            stalledNanos.addAndGet(late);
          }
        }
      }, "load-generator-stall-meter");
      t.setDaemon(true);
      t.start();
    }

    void reset() {
      worst.set(0);
      over2ms.set(0);
      stalledNanos.set(0);
    }

    String summary() {
      return String.format(Locale.ROOT, "max %.1f ms, %d over 2 ms (%.0f ms in all)", worst.get() / 1e6, over2ms.get(),
          stalledNanos.get() / 1e6);
    }
  }

  private static double ms(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(i, sorted.length - 1))] / 1e6;
  }
}
