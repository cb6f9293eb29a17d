package io.medpipe.training;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.training.calibration.PriorShiftCalibration;
import io.medpipe.training.calibration.ProbabilityCalibration;
import io.medpipe.training.card.ClinicalValidation;
import io.medpipe.training.card.ModelCard;
import io.medpipe.training.evaluation.BootstrapCi;
import io.medpipe.training.evaluation.HeldOutEvaluation;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.ModelProvenance;
import io.medpipe.training.model.TrainingOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.info.GitProperties;
import org.springframework.stereotype.Service;

/**
 * The Develop stage's training and evaluation of a snapshot: runs {@link TrainingRecipe} on the snapshot's training
 * split with the configured defaults and stores the run ({@link TrainingRuns}), then evaluates the run's model on its
 * held-out rows and stores the metrics and the model card, to which the clinical validation is added later. The split
 * is stratified and seeded, and the held-out rows are recorded with the run, so a run can be re-checked later.
 */
@Service
public class TrainingService {

  private final SnapshotStore snapshots;
  private final TrainingRuns runs;
  private final TrainingProperties settings;
  private final String gitCommit;

  @Autowired
  public TrainingService(SnapshotStore snapshots, TrainingRuns runs, TrainingProperties settings,
                         ObjectProvider<GitProperties> git) {
    this(snapshots, runs, settings, git.getIfAvailable() == null ? null : git.getIfAvailable().getCommitId());
  }

  /** With the code version given (null when the build recorded none). */
  TrainingService(SnapshotStore snapshots, TrainingRuns runs, TrainingProperties settings, String gitCommit) {
    this.snapshots = snapshots;
    this.runs = runs;
    this.settings = settings;
    this.gitCommit = gitCommit;
  }

  /** Trains with the configured defaults; returns the new run. */
  public TrainingRun train(UUID snapshotId, String targetClass, String processInstanceId) {
    FeatureTable table = snapshots.table(snapshotId);
    if (!table.classes().contains(targetClass)) {
      throw new IllegalArgumentException("the snapshot has no rows of the target class '" + targetClass
          + "' (classes: " + table.classes() + ")");
    }
    long start = System.nanoTime();
    TrainingRecipe.Developed developed = TrainingRecipe.develop(table, table.classIndex(targetClass), settings.seed(),
        settings.trees(), settings.testFraction(), settings.rareMissCost(),
        ProbabilityCalibration.Method.parse(settings.calibration()));
    double seconds = (System.nanoTime() - start) / 1e9;
    UUID id = UUID.randomUUID();
    Classifier model = developed.model().withRun(new ModelProvenance.Run(id.toString(), processInstanceId,
        snapshotId.toString(), snapshots.find(snapshotId).contentHash(), gitCommit));
    TrainingOptions options = model.options();
    Map<String, Object> params = new LinkedHashMap<>(options.asMap());
    params.put("selection", developed.selection().asMap());
    params.put("provenance", model.provenance().asMap());
    return runs.insert(new TrainingRuns.NewRun(id, snapshotId, options.algorithm().name(), params, options.seed(),
        targetClass, developed.split().test(), model.toBytes(), seconds, processInstanceId));
  }

  /**
   * A new run whose model is the parent run's model re-based to a new prior of its target class
   * ({@link PriorShiftCalibration}): the same snapshot, held-out rows, seed and algorithm; nothing is trained. It is
   * evaluated, validated and registered like any run; {@code lineage} is kept in its params as
   * {@value RecalibrationCard#PARAM} (the registry takes the parent version from it, the model card shows it).
   *
   * @param fromPrior the target class's prior the parent's probabilities are calibrated to
   * @param toPrior   the new prior
   * @param lineage   where the new prior comes from and which version is re-based (parentVersionId among others)
   */
  public TrainingRun recalibrate(UUID parentRunId, double fromPrior, double toPrior, Map<String, Object> lineage,
                                 String processInstanceId) {
    long start = System.nanoTime();
    TrainingRun parent = runs.find(parentRunId);
    Classifier champion = runs.model(parentRunId);
    int target = champion.classes().indexOf(parent.targetClass());
    PriorShiftCalibration shift = new PriorShiftCalibration(champion.calibration().orElse(null), target, fromPrior,
        toPrior);
    UUID id = UUID.randomUUID();
    Classifier model = champion.withCalibration(shift, ModelProvenance.Calibration.fitted(shift,
        "the prior of " + parent.targetClass() + " estimated without labels on production predictions ("
            + lineage.get("priorSource") + ")",
        null, null))
        .withRun(new ModelProvenance.Run(id.toString(), processInstanceId, parent.snapshotId().toString(),
            snapshots.find(parent.snapshotId()).contentHash(), gitCommit));
    Map<String, Object> params = new LinkedHashMap<>(parent.params());
    Map<String, Object> recalibration = new LinkedHashMap<>(lineage);
    recalibration.put("parentTrainingRunId", parentRunId.toString());
    recalibration.put("targetClass", parent.targetClass());
    recalibration.put("fromPrior", fromPrior);
    recalibration.put("toPrior", toPrior);
    recalibration.put("calibration", shift.asMap());
    params.put(RecalibrationCard.PARAM, recalibration);
    params.put("provenance", model.provenance().asMap());
    return runs.insert(new TrainingRuns.NewRun(id, parent.snapshotId(), parent.algorithm(), params, parent.seed(),
        parent.targetClass(), parent.testRows(), model.toBytes(), (System.nanoTime() - start) / 1e9,
        processInstanceId));
  }

  /** Evaluates the run's model on its held-out rows and stores the metrics and the model card with the run. */
  @SuppressWarnings("unchecked")
  public HeldOutEvaluation evaluate(UUID runId) {
    TrainingRun run = runs.find(runId);
    FeatureTable test = snapshots.table(run.snapshotId()).subset(run.testRows());
    Classifier model = runs.model(runId);
    int target = test.classIndex(run.targetClass());
    double[][] proba = HeldOutEvaluation.probabilities(model, test); // for the metrics and the card's curves
    HeldOutEvaluation evaluation = HeldOutEvaluation.of(model, test, proba, target, run.seed());
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("testRows", test.rows());
    stored.put("targetClass", run.targetClass());
    String on = model.calibration().isPresent() ? " on calibrated probabilities" : "";
    stored.put("decision", (model.options().costs() == null ? "most probable class" : "least expected cost") + on);
    if (model.options().costs() != null) {
      stored.put("costMatrix", model.options().costs().asList());
    }
    stored.put("metrics", evaluation.metrics());
    // the false-alarm burden in the clinic's terms: how many of every 1,000 patients the model flags as the target
    int[][] confusion = evaluation.metrics().confusion();
    int flagged = 0;
    for (int[] row : confusion) {
      flagged += row[target];
    }
    stored.put("targetFlagsPer1000", 1000.0 * flagged / test.rows());
    stored.put("targetIntervals", evaluation.target());
    if (evaluation.calibration() != null) {
      stored.put("calibration", evaluation.calibration().asMap());
    }
    stored.put("intervalMethod", "percentile bootstrap, " + BootstrapCi.DEFAULT_REPLICATES
        + " replicates of the held-out rows, seed " + run.seed());
    runs.storeMetrics(runId, stored);

    Object selection = run.params().get("selection");
    Map<String, Object> card = ModelCard.json(runId.toString(), run.snapshotId().toString(), run.targetClass(), model,
        selection instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : null, evaluation, test);
    String html = ModelCard.html(card, run.targetClass(), test.y(), proba, target);
    if (run.params().get(RecalibrationCard.PARAM) instanceof Map<?, ?> recalibration) {
      card = RecalibrationCard.json(card, recalibration);
      html = RecalibrationCard.html(html, recalibration);
    }
    runs.storeCard(runId, html, card);
    return evaluation;
  }

  /**
   * Adds the clinical validation's rules, verdict and reasons to the run's stored model card (HTML and JSON) and
   * metrics; the card is rendered at evaluation, before the decision runs.
   *
   * @throws IllegalStateException if the run has not been evaluated (it has no card yet)
   */
  public void recordValidation(UUID runId, ClinicalValidation validation) {
    TrainingRuns.StoredCard card = runs.card(runId);
    runs.storeValidation(runId, ModelCard.withValidation(card.html(), validation),
        ModelCard.withValidation(card.json(), validation), validation.asMap());
  }
}
