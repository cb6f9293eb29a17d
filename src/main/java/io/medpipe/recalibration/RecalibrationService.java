package io.medpipe.recalibration;

import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.dataset.ReportStore;
import io.medpipe.pipeline.RunOrigin;
import io.medpipe.pipeline.RunOrigins;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.training.TrainingRun;
import io.medpipe.training.TrainingService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Service;

/**
 * Re-bases the champion of a recalibration run to the new prior: reads why the run started from its recorded origin
 * (never from process variables), the prior estimate from the drift report of the monitor run that asked for it, and
 * makes a new training run of the champion's model with that prior ({@link TrainingService#recalibrate}).
 *
 * <p><b>Which prior, and why the monitor's.</b> The new prior is the EM estimate (Saerens et al. 2002) of the target
 * class's prevalence in the production window that raised the alert, as the drift report recorded it, not the share
 * of the target class among recently labelled patients: it is the maximum-likelihood prior under exactly the
 * assumption a recalibration makes (label shift), it covers every prediction of the window rather than the few that
 * got a clinician's label (at a 1-3% prevalence a few hundred labels hold a handful of cases, and which patients get a
 * label is not random), and it is the very figure the policy decided on, so the version's lineage points at one
 * audited record. Re-based from the prior the drift report says the probabilities are calibrated to (the same figure
 * EM started from), so the new version applies to its probabilities exactly the shift EM found.
 */
@Service
public class RecalibrationService {

  private final RunOrigins origins;
  private final ModelRegistry registry;
  private final ReportStore reports;
  private final TrainingService training;

  RecalibrationService(RunOrigins origins, ModelRegistry registry, ReportStore reports, TrainingService training) {
    this.origins = origins;
    this.registry = registry;
    this.reports = reports;
    this.training = training;
  }

  /** A recalibration's result: the new run and the champion it came from. */
  public record Recalibrated(TrainingRun run, ModelVersion champion, double fromPrior, double toPrior) {

    /** "recalibrated from fabry-xgboost v1 (prior of fabry 0.0100 -> 0.0300)". */
    public String summary() {
      return String.format(Locale.ROOT, "recalibrated from %s (prior of %s %.4f -> %.4f)", champion.label(),
          run.targetClass(), fromPrior, toPrior);
    }
  }

  /**
   * Re-bases the champion of the run {@code processInstanceId} belongs to.
   *
   * @throws IllegalStateException with a reason a person can act on, if the run was not started for a recalibration
   *                               or its drift report holds no usable prior estimate
   */
  public Recalibrated recalibrate(String processInstanceId) {
    RunOrigin origin = origins.ofInstance(processInstanceId).orElseThrow(() -> new IllegalStateException(
        "this run has no recorded origin, so nothing says what to recalibrate; start a full retraining instead"));
    if (!origin.recalibrates()) {
      throw new IllegalStateException("run " + origin.runId() + " was recorded as '" + origin.action()
          + "', not as a recalibration: it must retrain from the data stage");
    }
    ModelVersion champion = registry.get(origin.championVersionId());
    JsonNode report = reports.find(origin.driftReportId());
    if (report == null) {
      throw new IllegalStateException("drift report " + origin.driftReportId() + " of this run no longer exists,"
          + " so its prior estimate is unknown; start a full retraining instead");
    }
    JsonNode prevalence = report.path("body").path("report").path("prevalence");
    String target = prevalence.path("targetClass").asText(null);
    double from = prevalence.path("trainingPrior").asDouble(Double.NaN);
    double to = prevalence.path("em").asDouble(Double.NaN);
    String expected = String.valueOf(champion.metrics() == null ? null : champion.metrics().get("targetClass"));
    if (target == null || !target.equals(expected)) {
      throw new IllegalStateException("drift report " + origin.driftReportId() + " estimates the prevalence of '"
          + target + "', but " + champion.label() + " is a model of '" + expected + "'");
    }
    if (!(from > 0 && from < 1 && to > 0 && to < 1)) {
      throw new IllegalStateException("drift report " + origin.driftReportId() + " holds no usable prior of '" + target
          + "' (calibrated to " + from + ", estimated " + to + "): a prior must be strictly between 0 and 1");
    }
    Map<String, Object> lineage = new LinkedHashMap<>();
    lineage.put("parentVersionId", champion.id().toString());
    lineage.put("parentVersion", champion.label());
    lineage.put("priorSource", "EM estimate (Saerens et al. 2002) of monitor run " + origin.monitorRunId()
        + " over production predictions");
    lineage.put("priorInterval", List.of(prevalence.path("lower").asDouble(Double.NaN),
        prevalence.path("upper").asDouble(Double.NaN)));
    lineage.put("monitorRunId", String.valueOf(origin.monitorRunId()));
    lineage.put("driftReportId", origin.driftReportId().toString());
    lineage.put("driftReport", origin.driftReportUrl());
    TrainingRun run = training.recalibrate(champion.trainingRunId(), from, to, lineage, processInstanceId);
    return new Recalibrated(run, champion, from, to);
  }
}
