package io.medpipe.training.evaluation;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.ModelProvenance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluation of a model on rows it never saw: metrics with the model's own decisions (cost matrix applied), 95%
 * bootstrap intervals for the target class and, for a calibrated model, the calibration before and after.
 *
 * @param calibration null for an uncalibrated model
 */
public record HeldOutEvaluation(ClassificationMetrics metrics, BootstrapCi.ClassIntervals target, int testRows,
                                CalibrationCheck calibration) {

  /** An evaluation without a calibration check (an uncalibrated model, or out-of-fold figures). */
  public HeldOutEvaluation(ClassificationMetrics metrics, BootstrapCi.ClassIntervals target, int testRows) {
    this(metrics, target, testRows, null);
  }

  /**
   * The target class's calibration on the held-out rows before (the algorithm's own probabilities) and after the
   * model's calibration, which is what the model serves.
   *
   * @param calibration the calibration's method and parameters, as in provenance
   */
  public record CalibrationCheck(Map<String, Object> calibration, Figures before, Figures after) {

    /**
     * @param reliability the reliability diagram: per decile of predicted probability (ascending), {mean predicted,
     *                    observed share}
     */
    public record Figures(double brier, double slope, double intercept, double meanPredicted, double observed,
                          List<double[]> reliability) {

      static Figures of(double[] score, boolean[] positive) {
        double[] calibration = ClassificationMetrics.calibration(score, positive);
        double mean = 0;
        double observed = 0;
        for (int i = 0; i < score.length; i++) {
          mean += score[i] / score.length;
          observed += positive[i] ? 1.0 / score.length : 0;
        }
        return new Figures(ClassificationMetrics.brier(score, positive), calibration[1], calibration[0], mean,
            observed, ClassificationMetrics.reliability(score, positive));
      }
    }

    /** The figures as plain names and values, for the stored metrics. */
    public Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("calibration", calibration);
      map.put("before", figures(before));
      map.put("after", figures(after));
      return map;
    }

    private static Map<String, Object> figures(Figures f) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("brier", f.brier());
      map.put("calibrationSlope", f.slope());
      map.put("calibrationIntercept", f.intercept());
      map.put("meanPredicted", f.meanPredicted());
      map.put("observedShare", f.observed());
      map.put("reliability", f.reliability());
      return map;
    }
  }

  /** Evaluates a model on held-out rows. */
  public static HeldOutEvaluation of(Classifier model, FeatureTable test, int target, long seed) {
    return of(model, test, probabilities(model, test), target, seed);
  }

  /** {@link #of(Classifier, FeatureTable, int, long)} on probabilities already predicted by the model. */
  public static HeldOutEvaluation of(Classifier model, FeatureTable test, double[][] proba, int target, long seed) {
    int[] predicted = new int[test.rows()];
    for (int i = 0; i < test.rows(); i++) {
      predicted[i] = model.decide(proba[i]);
    }
    ClassificationMetrics metrics = ClassificationMetrics.of(test.y(), proba, predicted, test.classes());
    BootstrapCi.ClassIntervals ci = BootstrapCi.of(test.y(), proba, predicted, target, test.classes().get(target),
        BootstrapCi.DEFAULT_REPLICATES, seed);
    return new HeldOutEvaluation(metrics, ci, test.rows(), calibrationCheck(model, test, target, proba));
  }

  /** The model's probabilities of every row of {@code test}. */
  public static double[][] probabilities(Classifier model, FeatureTable test) {
    double[][] proba = new double[test.rows()][];
    for (int i = 0; i < test.rows(); i++) {
      proba[i] = model.predictProba(test.x()[i]);
    }
    return proba;
  }

  /** Before/after figures of the model's calibration on the held-out rows; null for an uncalibrated model. */
  private static CalibrationCheck calibrationCheck(Classifier model, FeatureTable test, int target,
                                                   double[][] calibrated) {
    if (model.calibration().isEmpty()) {
      return null;
    }
    Classifier raw = model.uncalibrated();
    double[] before = new double[test.rows()];
    double[] after = new double[test.rows()];
    boolean[] positive = new boolean[test.rows()];
    for (int i = 0; i < test.rows(); i++) {
      before[i] = raw.predictProba(test.x()[i])[target];
      after[i] = calibrated[i][target];
      positive[i] = test.y()[i] == target;
    }
    ModelProvenance.Calibration how = model.provenance().calibration();
    return new CalibrationCheck(how == null ? null : how.asMap(), CalibrationCheck.Figures.of(before, positive),
        CalibrationCheck.Figures.of(after, positive));
  }
}
