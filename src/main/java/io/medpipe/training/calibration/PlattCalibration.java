package io.medpipe.training.calibration;

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
public record PlattCalibration(int cls, double a, double b) implements ProbabilityCalibration {

  /**
   * Fits on probabilities that no model saw the truth of (out-of-fold or held-out): maximum likelihood, so the mean
   * calibrated probability equals the observed prevalence. When the score separates the outcomes perfectly, where
   * maximum likelihood has no finite solution, it uses Platt's (1999) smoothed targets (N+ + 1) / (N+ + 2) and
   * 1 / (N- + 2) instead, which always have one.
   *
   * @throws IllegalArgumentException if the rows hold a single outcome
   */
  public static PlattCalibration fit(int[] truth, double[][] proba, int cls) {
    double[] score = new double[truth.length];
    boolean[] positive = new boolean[truth.length];
    int positives = 0;
    for (int i = 0; i < truth.length; i++) {
      score[i] = proba[i][cls];
      positive[i] = truth[i] == cls;
      positives += positive[i] ? 1 : 0;
    }
    if (positives == 0 || positives == truth.length) {
      throw new IllegalArgumentException("cannot fit Platt scaling for class " + cls + ": it needs both outcomes");
    }
    double[] slope = LogitRegression.fit(score, positive);
    if (Double.isNaN(slope[0]) || Double.isNaN(slope[1])) {
      slope = smoothedFit(score, positive, positives);
    }
    if (Double.isNaN(slope[0]) || Double.isNaN(slope[1])) {
      throw new IllegalArgumentException("cannot fit Platt scaling for class " + cls + ": the fit did not converge");
    }
    return new PlattCalibration(cls, slope[1], slope[0]);
  }

  /** {b0, b1} of the logistic regression on logit(score) with Platt's smoothed targets. */
  private static double[] smoothedFit(double[] score, boolean[] positive, int positives) {
    double high = (positives + 1.0) / (positives + 2.0);
    double low = 1.0 / (score.length - positives + 2.0);
    double[] target = new double[score.length];
    for (int i = 0; i < target.length; i++) {
      target[i] = positive[i] ? high : low;
    }
    return LogitRegression.fit(score, target);
  }

  @Override
  public double[] apply(double[] proba) {
    double p = Math.min(1 - 1e-6, Math.max(1e-6, proba[cls]));
    return ProbabilityCalibration.replace(proba, cls, 1 / (1 + Math.exp(-(a * Math.log(p / (1 - p)) + b))));
  }

  @Override
  public java.util.Map<String, Object> asMap() {
    java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
    map.put("method", "platt");
    map.put("class", cls);
    map.put("slope", a);
    map.put("intercept", b);
    return map;
  }
}
