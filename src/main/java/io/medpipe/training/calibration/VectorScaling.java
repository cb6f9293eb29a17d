package io.medpipe.training.calibration;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Vector scaling of every class at once (Guo et al. 2017): p'_c = softmax_c(a_c log p_c + b_c), 2k parameters fitted
 * by multinomial log-likelihood with a ridge pulling them towards the identity map (a = 1, b = 0).
 *
 * <p>Why this and not one-vs-rest Platt: it calibrates every class of a many-class model, not only the target, and it
 * undoes the class-prior shift of balanced training (the b_c), which one shared temperature cannot; measured on six
 * development tables x seven models (FINDINGS of the model-quality study, section 7) it had the lowest Brier score
 * (mean rank 1.53 against 2.54 for one-vs-rest Platt, 3.03 isotonic, 3.14 temperature). The ridge needs no minimum
 * number of positives: a class with one or two rows, or none, keeps a map close to the identity instead of failing
 * to fit, so tiny classes never stop the pipeline.
 *
 * @param a slope per class on log p (1 = unchanged)
 * @param b intercept per class (0 = unchanged)
 */
public record VectorScaling(double[] a, double[] b) implements ProbabilityCalibration {

  /** Probabilities below this are taken as this before the log (a class a forest never saw gets 0). */
  static final double FLOOR = 1e-6;
  /** Weight of the penalty sum (a_c - 1)^2 + b_c^2 against the summed log-loss. */
  static final double RIDGE = 1.0;

  public VectorScaling {
    if (a.length != b.length || a.length < 2) {
      throw new IllegalArgumentException("vector scaling needs one slope and one intercept per class (at least 2)");
    }
    a = a.clone();
    b = b.clone();
  }

  @Override
  public double[] a() {
    return a.clone();
  }

  @Override
  public double[] b() {
    return b.clone();
  }

  /**
   * Fits on probabilities no model saw the truth of (out-of-fold) by Newton's method on the penalised multinomial
   * log-loss, which is convex in (a, b) and strictly convex with the ridge: the optimum is unique, and Newton reaches it
   * in a handful of steps (backtracking keeps every step a descent).
   *
   * <p>Why own code for an optimiser: Smile's L-BFGS was tried first and its line search never returned on a 4-class
   * table whose 2-row class was absent from a fold (the loss became non-finite in a trial step); a 2k-parameter
   * Newton iteration is a few dozen lines whose every step is checked, so a calibration can never hang a training.
   *
   * @throws IllegalArgumentException if there are no rows, or a row has another number of classes
   */
  public static VectorScaling fit(int[] truth, double[][] proba) {
    if (truth.length == 0 || truth.length != proba.length) {
      throw new IllegalArgumentException("vector scaling needs rows with a truth each, got " + truth.length + " and "
          + proba.length);
    }
    int k = proba[0].length;
    double[][] lp = new double[proba.length][];
    for (int i = 0; i < proba.length; i++) {
      if (proba[i].length != k) {
        throw new IllegalArgumentException("row " + i + " has " + proba[i].length + " classes, expected " + k);
      }
      lp[i] = logs(proba[i]);
    }
    int d = 2 * k;
    double[] w = new double[d];
    Arrays.fill(w, 0, k, 1);
    double[] gradient = new double[d];
    double[][] hessian = new double[d][d];
    double loss = loss(w, lp, truth, gradient, hessian);
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double[] step = solve(hessian, gradient);
      double slope = 0;
      for (int j = 0; j < d; j++) {
        step[j] = -step[j];
        slope += gradient[j] * step[j];
      }
      if (!(slope < 0) || -slope < 1e-12 * (1 + Math.abs(loss))) {
        break; // the Newton decrement is negligible: converged (or no descent direction left)
      }
      double t = 1;
      double[] trial = new double[d];
      double trialLoss = Double.NaN;
      for (int halving = 0; halving < 60; halving++, t /= 2) {
        for (int j = 0; j < d; j++) {
          trial[j] = w[j] + t * step[j];
        }
        trialLoss = loss(trial, lp, truth, null, null);
        if (trialLoss <= loss + 1e-4 * t * slope) {
          break;
        }
      }
      if (!(trialLoss <= loss)) {
        break;
      }
      w = trial;
      loss = loss(w, lp, truth, gradient, hessian);
    }
    return new VectorScaling(Arrays.copyOfRange(w, 0, k), Arrays.copyOfRange(w, k, d));
  }

  /** Newton iterations at most (it converges in well under 20 on every table measured). */
  static final int MAX_ITERATIONS = 100;

  /**
   * The penalised log-loss at w = (a, b); with non-null arrays also its gradient and Hessian. The logits of row i are
   * m_c = a_c lp_ic + b_c, so class c's parameters see the feature vector (lp_ic, 1) only in its own logit.
   */
  private static double loss(double[] w, double[][] lp, int[] truth, double[] gradient, double[][] hessian) {
    int k = w.length / 2;
    boolean derivatives = gradient != null;
    if (derivatives) {
      Arrays.fill(gradient, 0);
      for (double[] row : hessian) {
        Arrays.fill(row, 0);
      }
    }
    double total = 0;
    double[] m = new double[k];
    double[] p = new double[k];
    for (int i = 0; i < lp.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        m[c] = w[c] * lp[i][c] + w[k + c];
        max = Math.max(max, m[c]);
      }
      double sum = 0;
      for (int c = 0; c < k; c++) {
        p[c] = Math.exp(m[c] - max);
        sum += p[c];
      }
      int y = truth[i];
      total -= m[y] - max - Math.log(sum); // log-softmax, finite however extreme the logits
      if (!derivatives) {
        continue;
      }
      for (int c = 0; c < k; c++) {
        p[c] /= sum;
      }
      for (int c = 0; c < k; c++) {
        double residual = p[c] - (c == y ? 1 : 0);
        gradient[c] += residual * lp[i][c];
        gradient[k + c] += residual;
        for (int e = 0; e < k; e++) {
          double cov = (c == e ? p[c] : 0) - p[c] * p[e];
          if (cov == 0) {
            continue;
          }
          hessian[c][e] += cov * lp[i][c] * lp[i][e];
          hessian[c][k + e] += cov * lp[i][c];
          hessian[k + c][e] += cov * lp[i][e];
          hessian[k + c][k + e] += cov;
        }
      }
    }
    for (int c = 0; c < k; c++) {
      total += RIDGE * ((w[c] - 1) * (w[c] - 1) + w[k + c] * w[k + c]);
      if (derivatives) {
        gradient[c] += 2 * RIDGE * (w[c] - 1);
        gradient[k + c] += 2 * RIDGE * w[k + c];
        hessian[c][c] += 2 * RIDGE;
        hessian[k + c][k + c] += 2 * RIDGE;
      }
    }
    return total;
  }

  /** x with A x = b for a symmetric positive definite A (Cholesky; the ridge guarantees definiteness). */
  static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = a[i][j];
        for (int q = 0; q < j; q++) {
          sum -= l[i][q] * l[j][q];
        }
        if (i == j) {
          l[i][i] = Math.sqrt(Math.max(sum, 1e-12));
        } else {
          l[i][j] = sum / l[j][j];
        }
      }
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = b[i];
      for (int q = 0; q < i; q++) {
        sum -= l[i][q] * y[q];
      }
      y[i] = sum / l[i][i];
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double sum = y[i];
      for (int q = i + 1; q < n; q++) {
        sum -= l[q][i] * x[q];
      }
      x[i] = sum / l[i][i];
    }
    return x;
  }

  private static double[] logs(double[] p) {
    double[] out = new double[p.length];
    for (int c = 0; c < p.length; c++) {
      out[c] = Math.log(Math.max(FLOOR, p[c]));
    }
    return out;
  }

  /** Every class: -1. */
  @Override
  public int cls() {
    return -1;
  }

  @Override
  public boolean covers(int classes) {
    return a.length == classes;
  }

  @Override
  public double[] apply(double[] proba) {
    int k = a.length;
    if (proba.length != k) {
      throw new IllegalArgumentException("vector scaling of " + k + " classes applied to " + proba.length);
    }
    double[] m = new double[k];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < k; c++) {
      m[c] = a[c] * Math.log(Math.max(FLOOR, proba[c])) + b[c];
      max = Math.max(max, m[c]);
    }
    double sum = 0;
    for (int c = 0; c < k; c++) {
      m[c] = Math.exp(m[c] - max);
      sum += m[c];
    }
    for (int c = 0; c < k; c++) {
      m[c] /= sum;
    }
    return m;
  }

  @Override
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("method", "vector");
    map.put("slopes", Arrays.stream(a).boxed().toList());
    map.put("intercepts", Arrays.stream(b).boxed().toList());
    map.put("ridge", RIDGE);
    return map;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VectorScaling v && Arrays.equals(a, v.a) && Arrays.equals(b, v.b);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(a) + Arrays.hashCode(b);
  }

  @Override
  public String toString() {
    return "VectorScaling[a=" + Arrays.toString(a) + ", b=" + Arrays.toString(b) + "]";
  }
}
