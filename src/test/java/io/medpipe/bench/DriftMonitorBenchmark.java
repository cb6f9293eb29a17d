package io.medpipe.bench;

import io.medpipe.dataset.Feature;
import io.medpipe.monitoring.drift.DriftMonitor;
import io.medpipe.monitoring.drift.DriftOptions;
import io.medpipe.monitoring.drift.DriftReport;
import io.medpipe.monitoring.drift.ReferenceProfile;
import io.medpipe.monitoring.drift.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The time to compute every drift signal over 100,000 window rows x 30 features against a 5,000-row reference
 * (raw rows kept, so the exact-or-asymptotic KS and the domain classifier run), with 200 bootstrap replicates of the
 * prevalence interval. Prints each run and the median; the goal is 2 s including the domain classifier.
 * Not run by the test suite.
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.medpipe.bench.DriftMonitorBenchmark
 * </pre>
 */
public final class DriftMonitorBenchmark {

  private DriftMonitorBenchmark() {
  }

  public static void main(String[] args) {
    // Smile logs a line per tree; the application sets logging.level.smile=WARN, a plain main must do it itself
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("smile"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int features = 30;
    int referenceRows = 5_000;
    int windowRows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    List<Feature> inputs = new ArrayList<>();
    for (int f = 0; f < features; f++) {
      inputs.add(f % 10 == 8 ? Feature.binary("finding_" + f, true)
          : f % 10 == 9 ? Feature.categorical("category_" + f, List.of("a", "b", "c", "d"), true)
          : Feature.numeric("lab_" + f, "u", -1e6, 1e6, false));
    }
    Data reference = draw(inputs, referenceRows, 1.0, 1);
    ReferenceProfile profile = ReferenceProfile.builder(inputs, List.of("healthy", "rare")).rows(reference.rows)
        .truth(reference.truth).predicted(reference.predicted).probabilities(reference.proba)
        .trainingPrior(new double[] {0.99, 0.01}).build();
    Data window = draw(inputs, windowRows, 1.15, 2);
    Window w = new Window(window.rows, window.predicted, window.proba, null, null);
    DriftOptions options = DriftOptions.defaults();
    double[] seconds = new double[runs];
    DriftReport report = null;
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      report = DriftMonitor.analyse(profile, reference.rows, w, Map.of(), options);
      seconds[r] = (System.nanoTime() - t0) / 1e9;
      System.out.printf("run %d: %.3f s%n", r + 1, seconds[r]);
    }
    java.util.Arrays.sort(seconds);
    System.out.printf("median %.3f s over %d runs (%d window rows x %d features, %d reference rows, "
        + "domain classifier %d rows per side); drifted features %d, domain AUC %.3f, prevalence %.4f%n",
        seconds[runs / 2], runs, windowRows, features, referenceRows, report.multivariate().rowsPerSide(),
        report.driftedFeatures(), report.multivariate().auc(), report.prevalence().em());
    // where the time goes: the same run without the domain classifier, and also with a 20-replicate bootstrap
    DriftOptions noDomain = options.withDomainClassifier(false);
    System.out.printf("without the domain classifier: %.3f s; and with 20 bootstrap replicates: %.3f s%n",
        median(profile, reference.rows, w, noDomain, runs), median(profile, reference.rows, w,
            noDomain.withBootstrapReplicates(20), runs));
    System.out.printf("load average at the end: %s%n", java.lang.management.ManagementFactory
        .getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static double median(ReferenceProfile profile, double[][] reference, Window w, DriftOptions options,
                               int runs) {
    double[] seconds = new double[runs];
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      DriftMonitor.analyse(profile, reference, w, Map.of(), options);
      seconds[r] = (System.nanoTime() - t0) / 1e9;
    }
    java.util.Arrays.sort(seconds);
    return seconds[runs / 2];
  }

  private record Data(double[][] rows, int[] truth, int[] predicted, double[][] proba) {
  }

  /** Labs log-normal (the first one scaled by {@code firstLabScale}), 10% missing on every third. */
  private static Data draw(List<Feature> inputs, int n, double firstLabScale, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] rows = new double[n][inputs.size()];
    int[] truth = new int[n];
    int[] predicted = new int[n];
    double[][] proba = new double[n][];
    for (int i = 0; i < n; i++) {
      truth[i] = random.nextDouble() < 0.01 ? 1 : 0;
      double latent = gaussian(random) + 2.5 * truth[i];
      for (int f = 0; f < inputs.size(); f++) {
        switch (inputs.get(f).type()) {
          case BINARY -> rows[i][f] = random.nextDouble() < 0.2 ? 1 : 0;
          case CATEGORICAL -> rows[i][f] = random.nextInt(4);
          default -> rows[i][f] = f % 3 == 2 && random.nextDouble() < 0.1 ? Double.NaN
              : (f == 0 ? firstLabScale : 1) * Math.exp(1 + 0.3 * gaussian(random) + (f < 3 ? 0.1 * latent : 0));
        }
      }
      double p1 = 1 / (1 + Math.exp(-(Math.log(0.01 / 0.99) + 2.5 * latent - 3.125)));
      proba[i] = new double[] {1 - p1, p1};
      predicted[i] = p1 >= 0.2 ? 1 : 0;
    }
    return new Data(rows, truth, predicted, proba);
  }

  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }
}
