package io.medpipe.training;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import io.medpipe.training.evaluation.CrossValidation;
import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.evaluation.StratifiedSplit;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.ModelProvenance;

/**
 * Develop's training step without the database: hold out a stratified test share, cross-validate the candidate
 * configurations on the rest, pick one by the declared policy, refit it and calibrate it. Deterministic for a given
 * table and seed. {@link TrainingService} runs it on a snapshot and stores the run; {@link DatasetEvaluation} runs it
 * inside the folds of any table.
 */
public final class TrainingRecipe {

  /** Trees per candidate during the search; the chosen configuration is then refitted with the configured count. */
  static final int SEARCH_TREES = 50;
  /** Folds of the candidate search's cross-validation. */
  static final int SEARCH_FOLDS = CrossValidation.DEFAULT_FOLDS;
  /** The selection policy's floor on rare-class specificity (pooled out-of-fold). */
  static final double REQUIRED_SPECIFICITY = 0.90;
  /**
   * The default cost of missing the rare disease relative to any other error (a false alarm costs 1), configured as
   * {@code medpipe.training.rare-miss-cost}. The decision is taken on calibrated probabilities, so the model flags a
   * patient when P(rare) &gt; 1 / (1 + 49) = 2% (two classes; the search may lower the cost to keep the specificity
   * floor): the clinic accepts up to 50 confirmatory tests to find one case (see docs/training.md for why not 19). The
   * earlier default of 5 (flag from 17%) was set for resampled probabilities, which overstate a 2% prevalence ~20-fold
   * in odds; on calibrated probabilities it misses most cases.
   */
  static final double RARE_MISS_COST = 49;

  /** The default calibration of the chosen model ({@code medpipe.training.calibration}). */
  static final ProbabilityCalibration.Method CALIBRATION = ProbabilityCalibration.Method.PLATT;

  private TrainingRecipe() {
  }

  /** The outcome of Develop's training step: the stratified split, the candidate search and the refitted model. */
  public record Developed(StratifiedSplit.Split split, ModelSelection.Selection selection, Classifier model) {
  }

  /**
   * {@link #develop(FeatureTable, int, long, int, double, double, ProbabilityCalibration.Method)} with the default
   * miss cost and calibration.
   */
  public static Developed develop(FeatureTable table, int target, long seed, int trees, double testFraction) {
    return develop(table, target, seed, trees, testFraction, RARE_MISS_COST, CALIBRATION);
  }

  /** Holds out a stratified test share, then {@link #searchAndFit} on the rest. */
  public static Developed develop(FeatureTable table, int target, long seed, int trees, double testFraction,
                                  double rareMissCost, ProbabilityCalibration.Method calibration) {
    StratifiedSplit.Split split = StratifiedSplit.holdOut(table.y(), testFraction, seed);
    Fitted fitted = searchAndFit(table.subset(split.train()), target, seed, trees, rareMissCost, calibration);
    return new Developed(split, fitted.selection(), fitted.model());
  }

  /** A candidate search and the model it chose, refitted and calibrated. */
  public record Fitted(ModelSelection.Selection selection, Classifier model) {
  }

  /**
   * Cross-validates the default candidates on {@code train} (decisions on cross-fitted calibrated out-of-fold
   * probabilities), picks by {@link ModelSelection#POLICY}, refits the chosen configuration on all of {@code train}
   * with {@code trees} trees, and calibrates it on the chosen candidate's pooled out-of-fold predictions: rows no fold
   * model trained on, at the natural prevalence (the resampling happens inside each fold's fit). The search's fold
   * models have {@link #SEARCH_TREES} trees; a larger refitted forest averages the same trees' probabilities with less
   * noise, so its calibration is checked again on the held-out rows
   * ({@link io.medpipe.training.evaluation.HeldOutEvaluation}).
   */
  public static Fitted searchAndFit(FeatureTable train, int target, long seed, int trees, double rareMissCost,
                                    ProbabilityCalibration.Method calibration) {
    CostMatrix costs = CostMatrix.rareMiss(train.classes().size(), target, rareMissCost);
    ModelSelection.Selection selection = ModelSelection.select(train, target,
        ModelSelection.defaultCandidates(Math.min(trees, SEARCH_TREES), seed, costs), SEARCH_FOLDS, seed,
        REQUIRED_SPECIFICITY, calibration);
    Classifier model = Classifier.fit(train, selection.chosen().withTrees(trees));
    return new Fitted(selection, calibrate(model, train, selection, target));
  }

  /**
   * The refitted model with a calibration fitted on the selection's out-of-fold predictions of the chosen candidate;
   * the model as it is when the selection calibrates nothing, and with the reason in provenance when the map cannot
   * be fitted.
   */
  public static Classifier calibrate(Classifier model, FeatureTable train, ModelSelection.Selection selection,
                                     int target) {
    String fittedOn = "pooled out-of-fold predictions of the chosen configuration in the candidate search ("
        + selection.folds() + " folds, " + selection.chosen().trees() + " trees per fold model): rows no fold model "
        + "trained on, at the natural prevalence";
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
