package io.medpipe.monitoring;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.ReportStore;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.monitoring.DriftPolicy.Action;
import io.medpipe.monitoring.DriftPolicy.Signal;
import io.medpipe.monitoring.drift.DriftHtml;
import io.medpipe.monitoring.drift.DriftMonitor;
import io.medpipe.monitoring.drift.DriftOptions;
import io.medpipe.monitoring.drift.DriftReport;
import io.medpipe.monitoring.drift.ReferenceProfile;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.system.ApiProblems.NotFoundException;
import io.medpipe.system.InvalidRequestException;
import io.medpipe.system.InvalidRequestException.FieldProblem;
import io.medpipe.training.TrainingRuns;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * One monitor run: the served (or a named) version's window of the production prediction log against the version's
 * reference profile and raw held-out rows ({@link DriftMonitor}), the drift policy's verdict per signal
 * ({@link DriftPolicy}), the report stored as JSON and HTML (medpipe.report, kind {@value #REPORT_KIND}), the run
 * recorded ({@link MonitorRuns}) and the meters updated. A version without a profile, or a window below the minimum,
 * is an answer, not a failure.
 */
@Service
public class MonitorService {

  /** The kind of the drift reports in medpipe.report. */
  public static final String REPORT_KIND = "drift";
  /** The largest window a request may ask for. */
  static final int MAX_WINDOW = 1_000_000;

  private static final Logger log = LoggerFactory.getLogger(MonitorService.class);

  private final ModelRegistry registry;
  private final TrainingRuns training;
  private final SnapshotStore snapshots;
  private final ReportStore reports;
  private final MonitorRuns runs;
  private final PredictionWindow windows;
  private final MonitoringProperties settings;
  private final MonitorMetrics metrics;
  private final DriftPolicy policy = DriftPolicy.fromClasspath();
  /** The raw held-out rows per version: they never change, and reading a 20,000-row snapshot takes a while. */
  private final Map<UUID, FeatureTable> referenceRows = new ConcurrentHashMap<>();

  public MonitorService(ModelRegistry registry, TrainingRuns training, SnapshotStore snapshots, ReportStore reports,
                        MonitorRuns runs, PredictionWindow windows, MonitoringProperties settings,
                        MonitorMetrics metrics) {
    this.registry = registry;
    this.training = training;
    this.snapshots = snapshots;
    this.reports = reports;
    this.runs = runs;
    this.windows = windows;
    this.settings = settings;
    this.metrics = metrics;
  }

  /**
   * What to monitor. Every field is optional: the production version, and the configured window.
   *
   * @param runId          the run's id when it was created before (the API creates it, then starts the process)
   * @param modelVersionId the version whose predictions to check; null: the version in production
   * @param last           the last N predictions; not together with from/to
   * @param from           window start (inclusive), with to
   * @param to             window end (exclusive), with from
   * @param trigger        schedule, api or manual
   * @param requestedBy    who asked (API client or engine user), null for the schedule
   */
  public record Request(UUID runId, UUID modelVersionId, Integer last, Instant from, Instant to, String trigger,
                        String requestedBy, String processInstanceId) {}

  /** A finished run's answer. */
  public record Result(UUID runId, String outcome, UUID modelVersionId, String modelVersion, int windowRows,
                       UUID reportId, Action action, List<Signal> signals, String message,
                       Map<String, Double> seconds) {}

  /**
   * Checks a request's window and version as the API must: an invalid window is 400 naming the field, an unknown
   * version 404 naming it.
   *
   * @return the version, or empty to mean "the one in production" (which may not exist)
   */
  public Optional<ModelVersion> validate(Request request) {
    List<FieldProblem> problems = new ArrayList<>();
    boolean span = request.from() != null || request.to() != null;
    if (request.last() != null && span) {
      problems.add(new FieldProblem("last", "give either last or from/to, not both"));
    }
    if (request.last() != null && (request.last() < 2 || request.last() > MAX_WINDOW)) {
      problems.add(new FieldProblem("last", "must be between 2 and " + MAX_WINDOW + ", was " + request.last()));
    }
    if (span && (request.from() == null || request.to() == null)) {
      problems.add(new FieldProblem(request.from() == null ? "from" : "to", "a time window needs both from and to"));
    } else if (span && !request.from().isBefore(request.to())) {
      problems.add(new FieldProblem("to", "must be after from"));
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    if (request.modelVersionId() == null) {
      return Optional.empty();
    }
    return Optional.of(registry.find(request.modelVersionId()).orElseThrow(() -> new NotFoundException(
        "modelVersionId: no model version " + request.modelVersionId())));
  }

  /** Runs the monitor once; records a failure (then rethrows it) so the run never stays "running". */
  public Result run(Request request) {
    UUID runId = request.runId() != null ? request.runId() : UUID.randomUUID();
    Optional<ModelVersion> named = validate(request);
    PredictionWindow.Spec spec = spec(request);
    runs.start(runId, request.trigger(), request.requestedBy(), spec.last(), spec.from(), spec.to(),
        request.processInstanceId());
    try {
      Result result = analyse(runId, named.or(registry::production), spec, request.processInstanceId());
      log.info("Monitor run {}: {} ({})", runId, result.message(), result.action().id());
      return result;
    } catch (RuntimeException e) {
      runs.fail(runId, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      throw e;
    }
  }

  private PredictionWindow.Spec spec(Request request) {
    if (request.from() != null) {
      return new PredictionWindow.Spec(null, request.from(), request.to());
    }
    if (request.last() != null) {
      return new PredictionWindow.Spec(request.last(), null, null);
    }
    Duration duration = settings.windowDuration();
    if (duration != null) {
      Instant now = Instant.now();
      return new PredictionWindow.Spec(null, now.minus(duration), now);
    }
    return new PredictionWindow.Spec(settings.windowLast(), null, null);
  }

  private Result analyse(UUID runId, Optional<ModelVersion> maybeVersion, PredictionWindow.Spec spec,
                         String processInstanceId) {
    if (maybeVersion.isEmpty()) {
      String message = "no model is in production: nothing to monitor";
      runs.finish(runId, "no-model", null, 0, null, Action.NONE.id(), List.of(), message);
      return new Result(runId, "no-model", null, null, 0, null, Action.NONE, List.of(), message, Map.of());
    }
    ModelVersion version = maybeVersion.get();
    Optional<ModelRegistry.StoredProfile> stored = registry.referenceProfile(version.id());
    if (stored.isEmpty()) {
      String message = version.label() + " was registered before reference profiles existed: there is nothing to "
          + "compare its predictions against; register a new version (the next pipeline run) to monitor it";
      runs.finish(runId, "no-profile", version.id(), 0, null, Action.NONE.id(), List.of(), message);
      metrics.noProfile(version.label());
      return new Result(runId, "no-profile", version.id(), version.label(), 0, null, Action.NONE, List.of(),
          message, Map.of());
    }
    ReferenceProfile profile = ReferenceProfile.fromJson(stored.get().json());
    Map<String, Double> seconds = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    FeatureTable referenceTable = referenceRowsOf(version);
    double[][] reference = referenceTable.x();
    long t1 = System.nanoTime();
    PredictionWindow.Loaded loaded = windows.load(version.id(), profile.featureList(), profile.classes(), spec);
    long t2 = System.nanoTime();
    DriftReport report = DriftMonitor.analyse(profile, reference, loaded.window(), validatedRecallLower(version),
        options(profile, version));
    long t3 = System.nanoTime();
    seconds.put("reference", (t1 - t0) / 1e9);
    seconds.put("window", (t2 - t1) / 1e9);
    seconds.put("statistics", (t3 - t2) / 1e9);
    // a prevalence shift moves the inputs that go with the disease: judge input drift against the reference at the
    // estimated prior before the policy weighs it against a recalibration
    DriftReport underNewPrior = LabelShiftReference.needed(report) ? LabelShiftReference.analyse(profile, reference,
        referenceTable.y(), loaded.window(), report, validatedRecallLower(version), options(profile, version)) : null;
    List<Signal> signals = policy.decide(report, underNewPrior);
    Action action = DriftPolicy.highest(signals);
    String outcome = report.tooFewPredictions() ? "too-few-predictions" : "analysed";
    String message = version.label() + ", " + loaded.rows() + " predictions: " + report.message()
        + (signals.isEmpty() ? "" : "; policy: " + action.id());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("monitorRunId", runId.toString());
    body.put("modelVersionId", version.id().toString());
    body.put("modelVersion", version.label());
    Map<String, Object> window = new LinkedHashMap<>();
    window.put("last", spec.last());
    window.put("from", spec.from() == null ? null : spec.from().toString());
    window.put("to", spec.to() == null ? null : spec.to().toString());
    window.put("rows", loaded.rows());
    window.put("firstPrediction", loaded.first() == null ? null : loaded.first().toString());
    window.put("lastPrediction", loaded.last() == null ? null : loaded.last().toString());
    window.put("withFeedback", loaded.withFeedback());
    window.put("explained", loaded.explained());
    body.put("window", window);
    body.put("policy", Map.of("action", action.id(), "signals", signalMaps(signals)));
    body.put("report", report);
    if (underNewPrior != null) {
      Map<String, Object> check = new LinkedHashMap<>();
      check.put("what", "the window's inputs against the reference resampled to the estimated prior of "
          + report.prevalence().targetClass() + " (" + report.prevalence().em() + "): drift the prior shift explains"
          + " does not count against a recalibration");
      check.put("driftedFeatures", underNewPrior.driftedFeatures());
      check.put("driftedShare", underNewPrior.driftedShare());
      check.put("drifted", underNewPrior.features().stream().filter(f -> f.drifted()).map(f -> f.feature()).toList());
      check.put("domainAuc", underNewPrior.multivariate() == null ? null : underNewPrior.multivariate().auc());
      check.put("domainDrifted", underNewPrior.multivariate() != null && underNewPrior.multivariate().drifted());
      body.put("labelShiftCheck", check);
    }
    long t4 = System.nanoTime();
    String html = MonitorHtml.render(DriftHtml.render(report, profile, loaded.window()), version.label(), runId,
        loaded, action, signals);
    UUID reportId = reports.save(REPORT_KIND, version.snapshotId(), body, html, processInstanceId);
    runs.finish(runId, outcome, version.id(), loaded.rows(), reportId, action.id(), signalMaps(signals), message);
    metrics.update(version.label(), report, signals, Instant.now());
    seconds.put("report", (System.nanoTime() - t4) / 1e9);
    seconds.put("total", (System.nanoTime() - t0) / 1e9);
    return new Result(runId, outcome, version.id(), version.label(), loaded.rows(), reportId, action, signals,
        message, seconds);
  }

  static List<Map<String, Object>> signalMaps(List<Signal> signals) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Signal s : signals) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("signal", s.signal());
      m.put("flagged", s.flagged());
      m.put("magnitude", Double.isFinite(s.magnitude()) ? s.magnitude() : null);
      m.put("evidence", s.evidence());
      m.put("action", s.action().id());
      m.put("reason", s.reason());
      out.add(m);
    }
    return out;
  }

  /** The version's held-out rows with their classes, read once from its snapshot. */
  private FeatureTable referenceRowsOf(ModelVersion version) {
    return referenceRows.computeIfAbsent(version.id(), id -> {
      if (referenceRows.size() > 4) {
        referenceRows.clear(); // a handful of versions are monitored at a time; never let the cache grow
      }
      int[] heldOut = training.find(version.trainingRunId()).testRows();
      return snapshots.table(version.snapshotId()).subset(heldOut);
    });
  }

  /** The target class's lower recall bound the version was validated with (held-out bootstrap interval). */
  @SuppressWarnings("unchecked")
  static Map<String, Double> validatedRecallLower(ModelVersion version) {
    Map<String, Object> metrics = version.metrics();
    if (metrics == null || !(metrics.get("targetIntervals") instanceof Map<?, ?> intervals)
        || !(intervals.get("recall") instanceof Map<?, ?> recall) || !(recall.get("lower") instanceof Number lower)
        || !(metrics.get("targetClass") instanceof String target)) {
      return Map.of();
    }
    return Map.of(target, lower.doubleValue());
  }

  /** The configured options, following the version's target class rather than simply the rarest one. */
  private DriftOptions options(ReferenceProfile profile, ModelVersion version) {
    DriftOptions o = settings.driftOptions();
    Object target = version.metrics() == null ? null : version.metrics().get("targetClass");
    int index = target == null ? -1 : profile.classes().indexOf(target.toString());
    return new DriftOptions(o.alpha(), o.minimumWindow(), o.wassersteinThreshold(), o.jensenShannonThreshold(),
        o.cohenHThreshold(), o.useLearnedBands(), index, o.bootstrapReplicates(), o.intervalLevel(),
        o.prevalenceFactor(), o.domainClassifier(), o.domainTrees(), o.domainMaxNodes(), o.domainFolds(),
        o.domainRowsPerSide(), o.domainAucThreshold(), o.seed());
  }
}
