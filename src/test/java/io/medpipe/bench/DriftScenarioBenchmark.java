package io.medpipe.bench;

import io.medpipe.ehr.DriftScenario;
import io.medpipe.monitoring.DriftPolicy;
import io.medpipe.monitoring.MonitoringFixture;
import io.medpipe.monitoring.MonitoringProperties;
import io.medpipe.monitoring.drift.DriftMonitor;
import io.medpipe.monitoring.drift.DriftOptions;
import io.medpipe.monitoring.drift.DriftReport;
import io.medpipe.monitoring.drift.ReferenceProfile;
import io.medpipe.monitoring.drift.Window;
import io.medpipe.registry.ModelVersion;
import io.medpipe.training.model.Classifier;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How soon the monitor sees each drift scenario, and how often it cries wolf. A version is trained, evaluated and
 * registered with its reference profile on a real PostgreSQL as the pipeline does it; then, per scenario, a stream of
 * predictions (the version's model on the scenario's patients, feedback for a share of them) is checked by the
 * monitor's statistics and drift policy on growing windows (its first n predictions) until the first alert-worthy
 * verdict (policy page or retrain), printing n and the signal. False alarms: windows of the same population (fresh
 * seeds) with an alert-worthy verdict. The statistics and policy are the monitor's own (DriftMonitor, DriftPolicy,
 * the options of medpipe.monitoring.*); reading the window from the log is timed by MonitorTimingBenchmark.
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.medpipe.bench.DriftScenarioBenchmark \
 *     [no-drift windows, default 50] [window size, default 1000] [feedback share, default 0.5]
 * </pre>
 */
public final class DriftScenarioBenchmark {

  private static final int[] STEPS = {250, 500, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000, 16000, 24000};

  private DriftScenarioBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int noDriftWindows = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int windowSize = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    double feedback = args.length > 2 ? Double.parseDouble(args[2]) : 0.5;
    MonitoringProperties settings = MonitoringProperties.defaults();
    MonitoringFixture fixture = new MonitoringFixture(settings);
    long t0 = System.nanoTime();
    ModelVersion version = fixture.registerVersion(8000, 11, 100);
    System.out.printf("version trained and registered with its profile in %.0f s (8,000 patients, 100 trees)%n",
        (System.nanoTime() - t0) / 1e9);
    ReferenceProfile profile = ReferenceProfile
        .fromJson(fixture.registry.referenceProfile(version.id()).orElseThrow().json());
    Classifier model = fixture.registry.load(version);
    double[][] reference = fixture.referenceRows(version);
    Map<String, Double> bound = monitorBound(version);
    int target = profile.classes().indexOf("fabry");
    DriftOptions o = settings.driftOptions();
    DriftOptions options = new DriftOptions(o.alpha(), o.minimumWindow(), o.wassersteinThreshold(),
        o.jensenShannonThreshold(), o.cohenHThreshold(), o.useLearnedBands(), target, o.bootstrapReplicates(),
        o.intervalLevel(), o.prevalenceFactor(), o.domainClassifier(), o.domainTrees(), o.domainMaxNodes(),
        o.domainFolds(), o.domainRowsPerSide(), o.domainAucThreshold(), o.seed());
    DriftPolicy policy = DriftPolicy.fromClasspath();
    System.out.printf("validated lower recall bound %s; windows grow %s; feedback for %.0f%% of predictions%n",
        bound, java.util.Arrays.toString(STEPS), 100 * feedback);

    for (DriftScenario scenario : DriftScenario.values()) {
      if (scenario == DriftScenario.NO_DRIFT) {
        continue;
      }
      Stream stream = stream(model, scenario.generate(STEPS[STEPS.length - 1], 5000 + scenario.ordinal()), feedback,
          scenario.ordinal());
      String found = "not within " + STEPS[STEPS.length - 1] + " predictions";
      for (int n : STEPS) {
        DriftReport report = DriftMonitor.analyse(profile, reference, stream.first(n), bound, options);
        List<DriftPolicy.Signal> signals = policy.decide(report);
        List<String> alerting = signals.stream().filter(s -> s.action().ordinal() >= DriftPolicy.Action.PAGE
            .ordinal()).map(s -> s.signal() + " (" + s.action().id() + ")").toList();
        if (!alerting.isEmpty()) {
          found = n + " predictions: " + String.join(", ", alerting);
          break;
        }
      }
      System.out.printf("%-18s first alert-worthy verdict after %s%n", scenario.id(), found);
    }

    int falseAlarms = 0;
    int warnings = 0;
    long start = System.nanoTime();
    for (int w = 0; w < noDriftWindows; w++) {
      Stream stream = stream(model, DriftScenario.NO_DRIFT.generate(windowSize, 9000 + w), feedback, 100 + w);
      List<DriftPolicy.Signal> signals = policy.decide(DriftMonitor.analyse(profile, reference,
          stream.first(windowSize), bound, options));
      DriftPolicy.Action action = DriftPolicy.highest(signals);
      if (action.ordinal() >= DriftPolicy.Action.PAGE.ordinal()) {
        falseAlarms++;
        System.out.printf("  false alarm in no-drift window %d: %s%n", w, signals.stream()
            .filter(s -> s.action() != DriftPolicy.Action.NONE).map(s -> s.signal() + "=" + s.action().id()).toList());
      } else if (action == DriftPolicy.Action.WARN) {
        warnings++;
      }
    }
    System.out.printf("no-drift: %d false alarms (page or retrain) and %d warnings in %d windows of %d predictions "
        + "(goal: at most 1 false alarm); %.1f s per window; load average %.2f%n", falseAlarms, warnings,
        noDriftWindows, windowSize, (System.nanoTime() - start) / 1e9 / noDriftWindows,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.exit(0);
  }

  private static Map<String, Double> monitorBound(ModelVersion version) {
    Object intervals = version.metrics().get("targetIntervals");
    Object recall = intervals instanceof Map<?, ?> m ? m.get("recall") : null;
    Object lower = recall instanceof Map<?, ?> r ? r.get("lower") : null;
    return lower instanceof Number n ? Map.of("fabry", n.doubleValue()) : Map.of();
  }

  /** A scenario's predictions as the log would hold them, in arrival order. */
  private record Stream(double[][] rows, int[] predicted, double[][] probabilities, int[] feedback) {

    Window first(int n) {
      return new Window(java.util.Arrays.copyOf(rows, n), java.util.Arrays.copyOf(predicted, n),
          java.util.Arrays.copyOf(probabilities, n), null, java.util.Arrays.copyOf(feedback, n));
    }
  }

  private static Stream stream(Classifier model, List<DriftScenario.Case> cases, double share, long seed) {
    var table = DriftScenario.table(cases);
    SplittableRandom random = new SplittableRandom(seed);
    int n = table.rows();
    double[][] proba = new double[n][];
    int[] predicted = new int[n];
    int[] feedback = new int[n];
    for (int i = 0; i < n; i++) {
      proba[i] = model.predictProba(table.x()[i]);
      predicted[i] = model.decide(proba[i]);
      feedback[i] = random.nextDouble() < share ? table.y()[i] : -1;
    }
    return new Stream(table.x(), predicted, proba, feedback);
  }
}
