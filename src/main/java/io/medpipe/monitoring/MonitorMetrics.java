package io.medpipe.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.dataset.ReportStore;
import io.medpipe.monitoring.DriftPolicy.Signal;
import io.medpipe.monitoring.drift.DriftReport;
import io.medpipe.monitoring.drift.DriftReport.ClassPerformance;
import io.medpipe.monitoring.drift.DriftReport.FeatureDrift;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The monitor's Prometheus meters: every signal of the last finished run (per-feature effect and flag, drifted share,
 * domain AUC, prevalence, estimated and live recall with their bounds, feedback coverage, window size), the drift
 * policy's action per signal, and the age of the last run. Values are cached: the run that computes them sets them,
 * and every node re-reads the last finished run from the database on a schedule, so a scrape never queries anything.
 * A figure that was not measured is NaN, which no alert comparison matches.
 */
@Component
public class MonitorMetrics {

  private static final Logger log = LoggerFactory.getLogger(MonitorMetrics.class);

  /**
   * The policy's action as a number: none 0, warn 1, page 2, recalibrate 3, retrain 4 (alert rules compare against
   * these; ops/prometheus/alerts.yml).
   */
  static double level(DriftPolicy.Action action) {
    return action.ordinal();
  }

  private final Clock clock;
  private final Instant started;
  private final MonitoringProperties settings;
  private final ObjectProvider<MonitorRuns> runs;
  private final ObjectProvider<ReportStore> reports;
  private final ObjectMapper mapper = new ObjectMapper();
  private final AtomicReference<Instant> lastRun = new AtomicReference<>();
  private volatile java.util.UUID cachedRun;
  private final Map<String, Double> values = new ConcurrentHashMap<>();
  private final MultiGauge featureEffect;
  private final MultiGauge featureDrifted;
  private final MultiGauge signalFlagged;
  private final MultiGauge signalAction;

  @org.springframework.beans.factory.annotation.Autowired
  public MonitorMetrics(MeterRegistry meters, MonitoringProperties settings, ObjectProvider<MonitorRuns> runs,
                        ObjectProvider<ReportStore> reports) {
    this(meters, settings, runs, reports, Clock.systemUTC());
  }

  MonitorMetrics(MeterRegistry meters, MonitoringProperties settings, ObjectProvider<MonitorRuns> runs,
                 ObjectProvider<ReportStore> reports, Clock clock) {
    this.clock = clock;
    this.started = clock.instant();
    this.settings = settings;
    this.runs = runs;
    this.reports = reports;
    Gauge.builder("medpipe.monitor.last.run.age", this, MonitorMetrics::age).baseUnit("seconds")
        .description("seconds since the last finished monitor run (since start-up if none has finished)")
        .register(meters);
    Gauge.builder("medpipe.monitor.max.age", settings, s -> s.maxAge().toSeconds()).baseUnit("seconds")
        .description("the age at which the monitor counts as not running (medpipe.monitoring.max-age)")
        .register(meters);
    Gauge.builder("medpipe.monitor.schedule.enabled", settings, s -> s.scheduleEnabled() ? 1 : 0)
        .description("1 when the monitor runs on its schedule (medpipe.monitoring.schedule-enabled)").register(meters);
    gauge(meters, "medpipe.monitor.window.predictions", "predictions in the last run's window");
    gauge(meters, "medpipe.monitor.feedback.coverage", "share of the window's predictions with clinician feedback");
    gauge(meters, "medpipe.monitor.drift.share", "share of features flagged as drifted in the last run");
    gauge(meters, "medpipe.monitor.drift.features", "features flagged as drifted in the last run");
    gauge(meters, "medpipe.monitor.domain.auc", "domain classifier's cross-validated AUC, window against reference");
    gauge(meters, "medpipe.monitor.domain.auc.threshold", "the AUC a multivariate drift must exceed");
    gauge(meters, "medpipe.monitor.prevalence.estimated", "target class prevalence in the window (EM, no labels)");
    gauge(meters, "medpipe.monitor.prevalence.estimated.lower", "bootstrap interval of the EM prevalence, lower end");
    gauge(meters, "medpipe.monitor.prevalence.estimated.upper", "bootstrap interval of the EM prevalence, upper end");
    gauge(meters, "medpipe.monitor.prevalence.training", "target class prevalence the model is calibrated to");
    gauge(meters, "medpipe.monitor.recall.estimated", "expected recall of the target class without labels (CBPE)");
    gauge(meters, "medpipe.monitor.recall.estimated.lower", "expected recall's band, lower end");
    gauge(meters, "medpipe.monitor.recall.estimated.upper", "expected recall's band, upper end");
    gauge(meters, "medpipe.monitor.recall.live", "recall of the target class from clinician feedback");
    gauge(meters, "medpipe.monitor.recall.live.lower", "live recall's 95% Wilson interval, lower end");
    gauge(meters, "medpipe.monitor.recall.live.upper", "live recall's 95% Wilson interval, upper end");
    gauge(meters, "medpipe.monitor.recall.validated.lower", "the lower recall bound the version was validated with");
    gauge(meters, "medpipe.monitor.profile.missing", "1 when the monitored version has no reference profile");
    featureEffect = MultiGauge.builder("medpipe.monitor.feature.effect")
        .description("per feature, the effect size of its distribution test (normed Wasserstein or Jensen-Shannon)")
        .register(meters);
    featureDrifted = MultiGauge.builder("medpipe.monitor.feature.drifted")
        .description("per feature, 1 when its distribution or missing rate drifted in the last run").register(meters);
    signalFlagged = MultiGauge.builder("medpipe.monitor.signal.flagged")
        .description("per signal, 1 when the statistics flagged it in the last run").register(meters);
    signalAction = MultiGauge.builder("medpipe.monitor.signal.action")
        .description("per signal, what the drift policy decided: 0 none, 1 warn, 2 page, 3 recalibrate, 4 retrain")
        .register(meters);
    // the signal series exist from the start (at 0), so "absent" never hides a rule from the alerts
    List<MultiGauge.Row<?>> zero = new ArrayList<>();
    for (String s : DriftPolicy.SIGNALS) {
      zero.add(MultiGauge.Row.of(Tags.of("signal", s), 0));
    }
    signalFlagged.register(zero, true);
    signalAction.register(zero, true);
  }

  private void gauge(MeterRegistry meters, String name, String description) {
    values.put(name, Double.NaN);
    Gauge.builder(name, values, v -> v.getOrDefault(name, Double.NaN)).description(description).register(meters);
  }

  private double age() {
    Instant last = lastRun.get();
    return (clock.millis() - (last == null ? started : last).toEpochMilli()) / 1000.0;
  }

  /** The monitored version has no profile: its signals are unknown, not quiet. */
  void noProfile(String version) {
    values.replaceAll((k, v) -> Double.NaN);
    values.put("medpipe.monitor.profile.missing", 1.0);
    lastRun.set(clock.instant());
    featureEffect.register(List.of(), true);
    featureDrifted.register(List.of(), true);
    log.debug("meters of {}: no reference profile", version);
  }

  /** Sets every meter from a finished run. */
  public void update(String version, DriftReport report, List<Signal> signals, Instant finishedAt) {
    values.replaceAll((k, v) -> Double.NaN);
    values.put("medpipe.monitor.profile.missing", 0.0);
    values.put("medpipe.monitor.window.predictions", (double) report.windowRows());
    if (!report.tooFewPredictions()) {
      values.put("medpipe.monitor.drift.share", report.driftedShare());
      values.put("medpipe.monitor.drift.features", (double) report.driftedFeatures());
      if (report.multivariate() != null) {
        values.put("medpipe.monitor.domain.auc", report.multivariate().auc());
        values.put("medpipe.monitor.domain.auc.threshold", report.multivariate().threshold());
      }
      var prevalence = report.prevalence();
      if (prevalence != null) {
        values.put("medpipe.monitor.prevalence.estimated", prevalence.em());
        values.put("medpipe.monitor.prevalence.estimated.lower", prevalence.lower());
        values.put("medpipe.monitor.prevalence.estimated.upper", prevalence.upper());
        values.put("medpipe.monitor.prevalence.training", prevalence.trainingPrior());
      }
      var expected = report.estimatedPerformance();
      if (expected != null) {
        values.put("medpipe.monitor.recall.estimated", expected.recall());
        values.put("medpipe.monitor.recall.estimated.lower", expected.recallLower());
        values.put("medpipe.monitor.recall.estimated.upper", expected.recallUpper());
        values.put("medpipe.monitor.recall.validated.lower", expected.validatedRecallLower());
      }
      if (report.livePerformance() != null) {
        values.put("medpipe.monitor.feedback.coverage", report.livePerformance().coverage());
        ClassPerformance live = DriftPolicy.livePerformanceOfTarget(report);
        if (live != null) {
          values.put("medpipe.monitor.recall.live", live.recall().value());
          values.put("medpipe.monitor.recall.live.lower", live.recall().lower());
          values.put("medpipe.monitor.recall.live.upper", live.recall().upper());
        }
      }
    }
    List<MultiGauge.Row<?>> effects = new ArrayList<>();
    List<MultiGauge.Row<?>> drifted = new ArrayList<>();
    for (FeatureDrift f : report.features()) {
      effects.add(MultiGauge.Row.of(Tags.of("feature", f.feature()), f.distribution().effect()));
      drifted.add(MultiGauge.Row.of(Tags.of("feature", f.feature()), f.drifted() ? 1 : 0));
    }
    featureEffect.register(effects, true);
    featureDrifted.register(drifted, true);
    List<MultiGauge.Row<?>> flagged = new ArrayList<>();
    List<MultiGauge.Row<?>> actions = new ArrayList<>();
    for (String name : DriftPolicy.SIGNALS) {
      Signal s = signals.stream().filter(x -> x.signal().equals(name)).findFirst().orElse(null);
      flagged.add(MultiGauge.Row.of(Tags.of("signal", name), s != null && s.flagged() ? 1 : 0));
      actions.add(MultiGauge.Row.of(Tags.of("signal", name), s == null ? 0 : level(s.action())));
    }
    signalFlagged.register(flagged, true);
    signalAction.register(actions, true);
    lastRun.set(finishedAt);
    log.debug("meters updated from the run of {}", version);
  }

  /**
   * Re-reads the last finished run if another node (a worker) ran it. One small query per interval, never on a
   * scrape; a failure keeps the cached values.
   */
  @Scheduled(initialDelayString = "PT5S", fixedDelayString = "${medpipe.monitoring.metrics-refresh:PT30S}")
  void refresh() {
    MonitorRuns store = runs.getIfAvailable();
    ReportStore reportStore = reports.getIfAvailable();
    if (store == null || reportStore == null) {
      return;
    }
    try {
      store.lastFinished().ifPresent(run -> {
        if (run.id().equals(cachedRun)) {
          return;
        }
        cachedRun = run.id();
        Instant at = run.finishedAt() == null ? clock.instant() : run.finishedAt().toInstant();
        if ("no-profile".equals(run.outcome())) {
          noProfile(String.valueOf(run.modelVersionId()));
          lastRun.set(at);
          return;
        }
        if (run.reportId() == null) {
          lastRun.set(at);
          return;
        }
        JsonNode body = reportStore.find(run.reportId()).path("body");
        DriftReport report = mapper.convertValue(body.path("report"), DriftReport.class);
        List<Signal> signals = new ArrayList<>();
        for (Map<String, Object> s : run.signals()) {
          Object magnitude = s.get("magnitude");
          signals.add(new Signal((String) s.get("signal"), Boolean.TRUE.equals(s.get("flagged")),
              magnitude instanceof Number n ? n.doubleValue() : Double.NaN,
              s.get("evidence") instanceof Number n ? n.longValue() : 0,
              DriftPolicy.Action.valueOf(String.valueOf(s.get("action")).toUpperCase(java.util.Locale.ROOT)),
              (String) s.get("reason")));
        }
        update(body.path("modelVersion").asText(), report, signals, at);
      });
    } catch (RuntimeException e) {
      log.warn("Cannot refresh the monitor's meters: {}", e.getClass().getSimpleName());
    }
  }
}
