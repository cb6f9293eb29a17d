package io.medpipe.training.calibration;

/**
 * Logistic regression of an outcome on the logit of a predicted probability, logit P(y) = b0 + b1 logit(p), by
 * Newton-Raphson with step halving: the fit behind Platt scaling and behind the calibration slope of the evaluation
 * figures, kept here so that both use the same arithmetic.
 */
public final class LogitRegression {

  private LogitRegression() {
  }

  /** {b0, b1} of the logistic regression of the outcome on logit(score), or NaNs when it does not converge. */
  static double[] fit(double[] score, boolean[] positive) {
    return fit(score, targets(positive));
  }

  /**
   * {b0, b1} of the logistic regression of targets in [0, 1] (0/1 outcomes, or soft targets such as Platt's smoothed
   * ones) on logit(score), or NaNs when it does not converge.
   */
  static double[] fit(double[] score, double[] target) {
    double[] z = new double[score.length];
    for (int i = 0; i < score.length; i++) {
      double p = Math.min(1 - 1e-6, Math.max(1e-6, score[i]));
      z[i] = Math.log(p / (1 - p));
    }
    return onLogit(z, target);
  }

  /** 1 for a positive row, 0 otherwise. */
  public static double[] targets(boolean[] positive) {
    double[] target = new double[positive.length];
    for (int i = 0; i < target.length; i++) {
      target[i] = positive[i] ? 1 : 0;
    }
    return target;
  }

  /** {b0, b1} of the logistic regression of the targets on z by Newton-Raphson; NaNs when it does not converge. */
  public static double[] onLogit(double[] z, double[] target) {
    int n = z.length;
    // logistic regression y ~ a + b z
    double b0 = 0;
    double b1 = 1;
    boolean converged = false;
    for (int it = 0; it < 100 && !converged; it++) {
      double g0 = 0;
      double g1 = 0;
      double h00 = 0;
      double h01 = 0;
      double h11 = 0;
      for (int i = 0; i < n; i++) {
        double p = 1 / (1 + Math.exp(-(b0 + b1 * z[i])));
        double r = target[i] - p;
        double w = p * (1 - p);
        g0 += r;
        g1 += r * z[i];
        h00 += w;
        h01 += w * z[i];
        h11 += w * z[i] * z[i];
      }
      double det = h00 * h11 - h01 * h01;
      if (!(Math.abs(det) > 1e-300)) {
        break;
      }
      double d0 = (h11 * g0 - h01 * g1) / det;
      double d1 = (h00 * g1 - h01 * g0) / det;
      // step halving: a full Newton step can overshoot when the logits are extreme (boosting's near-0/1 output)
      double before = logLikelihood(z, target, b0, b1);
      int halvings = 0;
      while (logLikelihood(z, target, b0 + d0, b1 + d1) < before && halvings++ < 40) {
        d0 /= 2;
        d1 /= 2;
      }
      b0 += d0;
      b1 += d1;
      if (!Double.isFinite(b1) || Math.abs(b1) > 1e6) {
        break;
      }
      converged = Math.abs(d0) < 1e-10 && Math.abs(d1) < 1e-10;
    }
    return converged ? new double[] {b0, b1} : new double[] {Double.NaN, Double.NaN};
  }

  private static double logLikelihood(double[] z, double[] target, double b0, double b1) {
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      double eta = b0 + b1 * z[i];
      // log(1 + exp(eta)) computed without overflow
      double softplus = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
      sum += target[i] * eta - softplus;
    }
    return sum;
  }
}
