package io.medpipe.training;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import io.medpipe.training.evaluation.CandidateSearch;
import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.evaluation.Progress;
import io.medpipe.training.evaluation.StratifiedSplit;
import io.medpipe.training.model.Algorithm;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.ModelProvenance;
import io.medpipe.training.model.TrainingOptions;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Develop's training step without the database: hold out a stratified test share, search the candidate
 * configurations on the rest ({@link CandidateSearch}), refit the chosen one, calibrate every class, and set the
 * decision rule for the target class. Deterministic for a given table and seed. {@link TrainingService} runs it on a
 * snapshot and stores the run; {@link DatasetEvaluation} runs it inside the folds of any table.
 */
public final class TrainingRecipe {

  /** The decision rule's floor on the target class's specificity (out-of-fold, calibrated as served). */
  static final double REQUIRED_SPECIFICITY = 0.90;
  /**
   * The default cost of missing the rare disease relative to any other error (a false alarm costs 1), configured as
   * {@code medpipe.training.rare-miss-cost}. The decision is taken on calibrated probabilities, so the model flags a
   * patient when P(rare) &gt; 1 / (1 + 49) = 2% (two classes; the search may lower the cost to keep the specificity
   * floor): the clinic accepts up to 50 confirmatory tests to find one case (see docs/training.md for why not 19).
   */
  static final double RARE_MISS_COST = 49;

  /** The default calibration of the chosen model ({@code medpipe.training.calibration}): every class. */
  static final ProbabilityCalibration.Method CALIBRATION = ProbabilityCalibration.Method.VECTOR;

  /** Training rows the global feature importance (the API's input completeness weights) is averaged over, at most. */
  static final int IMPORTANCE_ROWS = 200;

  /** Models fitted at once during the search (one thread each); 2 for the 2-core machines medpipe is sized for. */
  static final int THREADS = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));

  private TrainingRecipe() {
  }

  /**
   * The settings of the training that a deployment may change.
   *
   * @param rareMissCost        cost of missing the target class relative to any other error (1); 1 = no cost matrix,
   *                            the most probable class on calibrated probabilities
   * @param calibration         how the chosen model's probabilities are calibrated
   * @param requiredSpecificity the floor the miss cost is lowered to keep, on the target class
   */
  public record Settings(double rareMissCost, ProbabilityCalibration.Method calibration, double requiredSpecificity) {

    /** medpipe's defaults for a declared clinical target (the pipeline's Develop stage). */
    public static final Settings DEFAULT = new Settings(RARE_MISS_COST, CALIBRATION, REQUIRED_SPECIFICITY);

    /**
     * The same training without a clinical target to weigh: the most probable class on calibrated probabilities
     * ({@code medpipe evaluate} without {@code --target}).
     */
    public static final Settings NO_TARGET = new Settings(1, CALIBRATION, REQUIRED_SPECIFICITY);

    public Settings {
      if (!(rareMissCost >= 1)) {
        throw new IllegalArgumentException("the miss cost must be >= 1 (1 = no cost matrix), was " + rareMissCost);
      }
    }

    /** The same settings with another miss cost. */
    public Settings withRareMissCost(double cost) {
      return new Settings(cost, calibration, requiredSpecificity);
    }
  }

  /** The outcome of Develop's training step: the stratified split, the candidate search and the refitted model. */
  public record Developed(StratifiedSplit.Split split, CandidateSearch.Selection selection, Classifier model) {
  }

  /** {@link #develop(FeatureTable, int, long, int, double, double, ProbabilityCalibration.Method)} with defaults. */
  public static Developed develop(FeatureTable table, int target, long seed, int trees, double testFraction) {
    return develop(table, target, seed, trees, testFraction, RARE_MISS_COST, CALIBRATION);
  }

  /** Holds out a stratified test share, then {@link #searchAndFit} on the rest. */
  public static Developed develop(FeatureTable table, int target, long seed, int trees, double testFraction,
                                  double rareMissCost, ProbabilityCalibration.Method calibration) {
    StratifiedSplit.Split split = StratifiedSplit.holdOut(table.y(), testFraction, seed);
    Fitted fitted = searchAndFit(table.subset(split.train()), target, seed, trees,
        new Settings(rareMissCost, calibration, REQUIRED_SPECIFICITY), Progress.NONE, "");
    return new Developed(split, fitted.selection(), fitted.model());
  }

  /**
   * A candidate search and the model it chose, refitted, calibrated and with its decision rule.
   *
   * @param modelsTrained the search's models and the refit
   */
  public record Fitted(CandidateSearch.Selection selection, Classifier model, int modelsTrained) {
  }

  /**
   * Searches the default candidates on {@code train} ({@link CandidateSearch#select}), then:
   * <ol>
   *   <li>refits the chosen configuration on all of {@code train} (a forest with {@code trees} trees; boosting with the
   *       rounds it was searched with, since more rounds make another model, not a less noisy one);
   *   <li>calibrates it on the chosen candidate's pooled out-of-fold predictions (rows no fold model trained on, at
   *       the natural prevalence);
   *   <li>sets the decision (with a miss cost above 1): least expected cost with missing the target class costing the
   *       settings' miss cost, lowered
   *       to the largest cost whose flags keep the target's specificity at the settings' floor on the
   *       search's calibrated out-of-fold probabilities ({@link ModelSelection#capMissCost});
   *   <li>records the global feature importance on up to {@link #IMPORTANCE_ROWS} training rows.
   * </ol>
   *
   * @param stage prefix of the progress messages
   */
  public static Fitted searchAndFit(FeatureTable train, int target, long seed, int trees, Settings settings,
                                    Progress progress, String stage) {
    CandidateSearch.Selection selection = CandidateSearch.select(train, CandidateSearch.defaultCandidates(seed), seed,
        settings.calibration(), THREADS, progress, stage);
    TrainingOptions chosen = selection.chosen();
    if (chosen.algorithm() == Algorithm.FOREST) {
      chosen = chosen.withTrees(trees);
    }
    TrainingOptions decided = chosen;
    if (settings.rareMissCost() > 1) {
      CostMatrix costs = CostMatrix.rareMiss(train.classes().size(), target, settings.rareMissCost());
      decided = ModelSelection.capMissCost(chosen.withCosts(costs), selection.calibratedOutOfFold(), train.y(), target,
          settings.requiredSpecificity());
    }
    Classifier model = Classifier.fit(train, decided, THREADS);
    progress.fitted(stage + "refit of " + decided.label(), selection.modelsTrained() + 1,
        selection.modelsTrained() + 1);
    model = calibrate(model, train, selection, target);
    model = model.withFeatureImportance(sample(train, IMPORTANCE_ROWS, seed));
    return new Fitted(selection, model, selection.modelsTrained() + 1);
  }

  /** Up to {@code n} rows of the table, a seeded random choice. */
  static double[][] sample(FeatureTable t, int n, long seed) {
    if (t.rows() <= n) {
      return t.x();
    }
    int[] rows = new SplittableRandom(seed).ints(0, t.rows()).distinct().limit(n).sorted().toArray();
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = t.x()[rows[i]];
    }
    return out;
  }

  /**
   * The refitted model with a calibration fitted on the search's out-of-fold predictions of the chosen candidate;
   * the model as it is when the search calibrates nothing, and with the reason in provenance when the map cannot be
   * fitted.
   */
  public static Classifier calibrate(Classifier model, FeatureTable train, CandidateSearch.Selection selection,
                                     int target) {
    String fittedOn = String.format(Locale.ROOT, "pooled out-of-fold predictions of the chosen configuration in the "
        + "candidate search (%d folds%s): rows no fold model trained on, at the natural prevalence", selection.folds(),
        selection.chosen().algorithm() == Algorithm.FOREST ? ", " + selection.chosen().trees()
            + " trees per fold model" : "");
    int rows = train.rows();
    int cases = train.classCounts()[target];
    if (selection.calibration() == ProbabilityCalibration.Method.NONE) {
      return model;
    }
    try {
      ProbabilityCalibration map = ProbabilityCalibration.fit(selection.calibration(), train.y(),
          selection.outOfFold(), target);
      return model.withCalibration(map, ModelProvenance.Calibration.fitted(map, fittedOn, rows, cases));
    } catch (IllegalArgumentException e) {
      return model.withCalibration(null, ModelProvenance.Calibration.none(fittedOn, rows, cases, e.getMessage()));
    }
  }
}
