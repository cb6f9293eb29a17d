package io.medpipe.bench;

import io.medpipe.monitoring.MonitorService;
import io.medpipe.monitoring.MonitoringFixture;
import io.medpipe.monitoring.MonitoringProperties;
import io.medpipe.registry.ModelVersion;
import java.util.Arrays;

/**
 * The monitor's time over 100,000 logged predictions with 30 features: the whole run through MonitorService on a real
 * PostgreSQL (the embedded test server), reading the window from the prediction log, every signal against a
 * 5,000-row reference, the report rendered and stored. Prints each run's stages and the median. Not run by the tests.
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.medpipe.bench.MonitorTimingBenchmark [rows] [runs]
 * </pre>
 */
public final class MonitorTimingBenchmark {

  private MonitorTimingBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("smile"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    MonitoringFixture fixture = new MonitoringFixture(MonitoringProperties.defaults());
    long t0 = System.nanoTime();
    ModelVersion version = fixture.syntheticVersion(5000, rows, 1.15);
    System.out.printf("set-up: profile with learned bands of 5,000 rows x 30 features and %,d logged predictions in "
        + "%.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
    double[] totals = new double[runs];
    for (int r = 0; r < runs; r++) {
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long cpu0 = threads.getCurrentThreadCpuTime();
      MonitorService.Result result = fixture.monitor.run(new MonitorService.Request(null, version.id(), rows, null,
          null, "manual", "bench", null));
      totals[r] = result.seconds().get("total");
      // this thread's CPU: the monitor's own work without the waits for other processes and for PostgreSQL
      System.out.printf("run %d: %s, this thread's CPU %.3f s | %s%n", r + 1, result.seconds(),
          (threads.getCurrentThreadCpuTime() - cpu0) / 1e9, result.message());
    }
    Arrays.sort(totals);
    System.out.printf("median %.3f s over %d runs (%,d predictions x 30 features); load average %.2f%n",
        totals[runs / 2], runs, rows,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.exit(0);
  }
}
