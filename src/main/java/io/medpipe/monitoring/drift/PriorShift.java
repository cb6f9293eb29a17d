package io.medpipe.monitoring.drift;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Class-prior estimation in a window without labels, from the model's calibrated probabilities.
 *
 * <p><b>EM</b> (Saerens, Latinne and Decaestecker 2002, "Adjusting the outputs of a classifier to new a priori
 * probabilities", Neural Computation 14(1)): probabilities calibrated at the training prior pi are re-weighted to a
 * candidate prior q, p'(c|x) = (q_c / pi_c) p(c|x) / sum_k (q_k / pi_k) p(k|x); the new q is the mean of p' over the
 * window; repeated to a fixed point, which is the maximum-likelihood prior under label shift.
 *
 * <p><b>BBSE</b> (Lipton, Wang and Smola 2018, "Detecting and correcting for label shift with black box
 * predictors", ICML): with C the reference confusion matrix as joint P(predicted = i, true = j) and mu the window's
 * share of each predicted class, C w = mu gives the weights w_j = q_j / pi_j. Solved in the equivalent form
 * M q = mu with M = P(predicted | true) (C's columns divided by pi), whose condition number measures how confusable
 * the classes are, independent of how rare they are; negatives are clipped to 0 and q renormalised.
 *
 * <p>Own code: commons-statistics has neither, and the linear algebra is k x k for a handful of classes (Smile's
 * matrix classes need the native BLAS that medpipe leaves out).
 */
final class PriorShift {

  /** BBSE is reported unreliable above this condition number of P(predicted | true). */
  static final double ILL_CONDITIONED = 10;

  private static final int MAX_ITERATIONS = 10_000;
  private static final double TOLERANCE = 1e-9;

  /** An EM result: the prior and the iterations it took. */
  record Em(double[] prior, int iterations) {
  }

  /** A BBSE result: the prior (NaN if M is singular) and M's 1-norm condition number. */
  record Bbse(double[] prior, double condition) {
  }

  private PriorShift() {
  }

  /** EM prior of all window rows, starting from the training prior. */
  static Em em(double[][] probabilities, double[] trainingPrior) {
    return em(probabilities, trainingPrior, null, trainingPrior);
  }

  /**
   * EM prior.
   *
   * @param probabilities calibrated probability per row and class (calibrated at {@code trainingPrior})
   * @param trainingPrior the prior the probabilities are calibrated to; every entry above 0
   * @param rows          the rows to use, repeats allowed (a bootstrap sample), or null for all
   * @param start         starting prior
   */
  static Em em(double[][] probabilities, double[] trainingPrior, int[] rows, double[] start) {
    int k = trainingPrior.length;
    int n = rows == null ? probabilities.length : rows.length;
    double[] q = start.clone();
    double[] ratio = new double[k];
    double[] next = new double[k];
    for (int iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
      for (int c = 0; c < k; c++) {
        ratio[c] = trainingPrior[c] > 0 ? q[c] / trainingPrior[c] : 0;
      }
      Arrays.fill(next, 0);
      for (int r = 0; r < n; r++) {
        double[] p = probabilities[rows == null ? r : rows[r]];
        double norm = 0;
        for (int c = 0; c < k; c++) {
          norm += ratio[c] * p[c];
        }
        if (norm > 0) {
          for (int c = 0; c < k; c++) {
            next[c] += ratio[c] * p[c] / norm;
          }
        }
      }
      double total = 0;
      for (int c = 0; c < k; c++) {
        total += next[c];
      }
      double change = 0;
      for (int c = 0; c < k; c++) {
        double v = next[c] / total;
        change = Math.max(change, Math.abs(v - q[c]));
        q[c] = v;
      }
      if (change < TOLERANCE) {
        return new Em(q, iteration);
      }
    }
    return new Em(q, MAX_ITERATIONS);
  }

  /**
   * Percentile bootstrap interval of the EM estimate of one class: rows resampled with replacement from a seeded
   * generator, each replicate's EM warm-started at the point estimate (the same fixed point, fewer iterations).
   *
   * @return {lower, upper}
   */
  static double[] bootstrap(double[][] probabilities, double[] trainingPrior, double[] estimate, int target,
                            int replicates, double level, long seed) {
    int n = probabilities.length;
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[replicates];
    int[] rows = new int[n];
    for (int b = 0; b < replicates; b++) {
      for (int i = 0; i < n; i++) {
        rows[i] = random.nextInt(n);
      }
      values[b] = em(probabilities, trainingPrior, rows, estimate).prior()[target];
    }
    Arrays.sort(values);
    double tail = (1 - level) / 2;
    return new double[] {percentile(values, tail), percentile(values, 1 - tail)};
  }

  /** Linear-interpolation percentile of sorted values (numpy's default). */
  static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * Black-box shift estimate of the window prior.
   *
   * @param confusion reference counts {@code [predicted][true]}
   * @param predicted the window's predicted class per row
   */
  static Bbse bbse(long[][] confusion, int[] predicted) {
    int k = confusion.length;
    double[][] m = new double[k][k];
    for (int j = 0; j < k; j++) {
      long column = 0;
      for (int i = 0; i < k; i++) {
        column += confusion[i][j];
      }
      for (int i = 0; i < k; i++) {
        m[i][j] = column == 0 ? 0 : (double) confusion[i][j] / column;
      }
    }
    double[] mu = new double[k];
    for (int c : predicted) {
      mu[c] += 1.0 / predicted.length;
    }
    double[][] inverse = invert(m);
    double[] q = new double[k];
    if (inverse == null) {
      Arrays.fill(q, Double.NaN);
      return new Bbse(q, Double.POSITIVE_INFINITY);
    }
    double total = 0;
    for (int i = 0; i < k; i++) {
      double v = 0;
      for (int j = 0; j < k; j++) {
        v += inverse[i][j] * mu[j];
      }
      q[i] = Math.max(0, v);
      total += q[i];
    }
    for (int i = 0; i < k; i++) {
      q[i] = total > 0 ? q[i] / total : Double.NaN;
    }
    return new Bbse(q, norm1(m) * norm1(inverse));
  }

  /** Maximum absolute column sum. */
  private static double norm1(double[][] a) {
    double max = 0;
    for (int j = 0; j < a.length; j++) {
      double s = 0;
      for (double[] row : a) {
        s += Math.abs(row[j]);
      }
      max = Math.max(max, s);
    }
    return max;
  }

  /** Gauss-Jordan inverse with partial pivoting, or null if singular. */
  static double[][] invert(double[][] matrix) {
    int k = matrix.length;
    double[][] a = new double[k][2 * k];
    for (int i = 0; i < k; i++) {
      System.arraycopy(matrix[i], 0, a[i], 0, k);
      a[i][k + i] = 1;
    }
    for (int col = 0; col < k; col++) {
      int pivot = col;
      for (int r = col + 1; r < k; r++) {
        if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
          pivot = r;
        }
      }
      if (Math.abs(a[pivot][col]) < 1e-12) {
        return null;
      }
      double[] swap = a[col];
      a[col] = a[pivot];
      a[pivot] = swap;
      double d = a[col][col];
      for (int c = 0; c < 2 * k; c++) {
        a[col][c] /= d;
      }
      for (int r = 0; r < k; r++) {
        if (r != col && a[r][col] != 0) {
          double f = a[r][col];
          for (int c = 0; c < 2 * k; c++) {
            a[r][c] -= f * a[col][c];
          }
        }
      }
    }
    double[][] inverse = new double[k][k];
    for (int i = 0; i < k; i++) {
      System.arraycopy(a[i], k, inverse[i], 0, k);
    }
    return inverse;
  }

  /** Probabilities re-weighted to a new prior (Saerens et al. eq. 2.4), each row summing to 1. */
  static double[][] adjust(double[][] probabilities, double[] trainingPrior, double[] prior) {
    int k = prior.length;
    double[] ratio = new double[k];
    for (int c = 0; c < k; c++) {
      ratio[c] = trainingPrior[c] > 0 ? prior[c] / trainingPrior[c] : 0;
    }
    double[][] adjusted = new double[probabilities.length][k];
    for (int i = 0; i < probabilities.length; i++) {
      double norm = 0;
      for (int c = 0; c < k; c++) {
        adjusted[i][c] = ratio[c] * probabilities[i][c];
        norm += adjusted[i][c];
      }
      for (int c = 0; c < k; c++) {
        adjusted[i][c] = norm > 0 ? adjusted[i][c] / norm : probabilities[i][c];
      }
    }
    return adjusted;
  }
}
