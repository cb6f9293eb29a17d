package io.medpipe.monitoring;

import io.medpipe.dataset.Feature;
import io.medpipe.monitoring.drift.DriftMonitor;
import io.medpipe.monitoring.drift.DriftOptions;
import io.medpipe.monitoring.drift.DriftReport;
import io.medpipe.monitoring.drift.ReferenceProfile;
import io.medpipe.monitoring.drift.Window;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** Registers the monitor's meters as a finished run leaves them, for tests that read a scrape. */
final class MonitoringMeters {

  private MonitoringMeters() {
  }

  /** A MonitorMetrics on {@code meters}, updated from a real (small) run of the statistics and the drift policy. */
  static MonitorMetrics registerByMonitoring(MeterRegistry meters) {
    MonitorMetrics metrics = new MonitorMetrics(meters, MonitoringProperties.defaults(),
        new StaticListableBeanFactory().getBeanProvider(MonitorRuns.class),
        new StaticListableBeanFactory().getBeanProvider(io.medpipe.dataset.ReportStore.class));
    List<Feature> features = List.of(Feature.numeric("lab", "u", 0, 100, false), Feature.binary("sign", false));
    SplittableRandom random = new SplittableRandom(3);
    int n = 400;
    double[][] rows = new double[n][];
    int[] truth = new int[n];
    double[][] proba = new double[n][];
    int[] feedback = new int[n];
    for (int i = 0; i < n; i++) {
      truth[i] = random.nextDouble() < 0.1 ? 1 : 0;
      rows[i] = new double[] {10 + random.nextDouble() * (truth[i] == 1 ? 20 : 10), random.nextInt(2)};
      double p = truth[i] == 1 ? 0.6 : 0.05;
      proba[i] = new double[] {1 - p, p};
      feedback[i] = truth[i];
    }
    int[] predicted = new int[n];
    for (int i = 0; i < n; i++) {
      predicted[i] = proba[i][1] > 0.3 ? 1 : 0;
    }
    ReferenceProfile profile = ReferenceProfile.builder(features, List.of("none", "rare")).rows(rows).truth(truth)
        .predicted(predicted).probabilities(proba).build();
    DriftReport report = DriftMonitor.analyse(profile, rows, new Window(rows, predicted, proba, null, feedback),
        Map.of("rare", 0.8), DriftOptions.defaults().withDomainClassifier(false));
    metrics.update("ops-test v1", report, DriftPolicy.fromClasspath().decide(report), Instant.now());
    return metrics;
  }
}
