package io.medpipe.training;

/**
 * Platt scaling of one class's probability: p' = 1 / (1 + exp(-(a logit(p) + b))), fitted by maximum likelihood on
 * held-out (out-of-fold) predictions; the other classes are rescaled so that each row still sums to 1.
 *
 * <p>Why: resampling and class weights train on a balanced world and so overstate a rare class's probability
 * (van den Goorbergh et al., JAMIA 2022); Platt scaling on data with the natural prevalence maps it back.
 *
 * @param cls the class whose probability is recalibrated
 * @param a   slope on the logit scale
 * @param b   intercept
 */
public record PlattCalibration(int cls, double a, double b) {

  /** Fits on probabilities that no model saw the truth of (out-of-fold or held-out). */
  public static PlattCalibration fit(int[] truth, double[][] proba, int cls) {
    double[] score = new double[truth.length];
    boolean[] positive = new boolean[truth.length];
    for (int i = 0; i < truth.length; i++) {
      score[i] = proba[i][cls];
      positive[i] = truth[i] == cls;
    }
    double[] slope = ClassificationMetrics.logisticFit(score, positive);
    if (Double.isNaN(slope[0]) || Double.isNaN(slope[1])) {
      throw new IllegalArgumentException("cannot fit Platt scaling for class " + cls
          + ": it needs both outcomes and a non-separable score");
    }
    return new PlattCalibration(cls, slope[1], slope[0]);
  }

  /** The recalibrated probabilities of one row. */
  public double[] apply(double[] proba) {
    double p = Math.min(1 - 1e-6, Math.max(1e-6, proba[cls]));
    double calibrated = 1 / (1 + Math.exp(-(a * Math.log(p / (1 - p)) + b)));
    double rest = 1 - proba[cls];
    double[] out = new double[proba.length];
    for (int c = 0; c < proba.length; c++) {
      if (c == cls) {
        out[c] = calibrated;
      } else {
        out[c] = rest > 0 ? proba[c] / rest * (1 - calibrated) : (1 - calibrated) / (proba.length - 1);
      }
    }
    return out;
  }
}
