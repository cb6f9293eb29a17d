package io.medpipe.monitoring.drift;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

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
  private static final double TOLERANCE = 1e-10;

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
   * The maximum-likelihood prior under label shift: EM's fixed point. For two classes the same fixed point is found
   * by safeguarded Newton steps on the likelihood equation (the log-likelihood is concave in q), because EM
   * converges only linearly and slowly when the classes overlap, which the bootstrap would pay 200 times.
   *
   * @param probabilities calibrated probability per row and class (calibrated at {@code trainingPrior})
   * @param trainingPrior the prior the probabilities are calibrated to; every entry above 0
   * @param weights       how often each row counts (a bootstrap sample), or null for once each
   * @param start         starting prior
   */
  static Em em(double[][] probabilities, double[] trainingPrior, int[] weights, double[] start) {
    if (twoClasses(trainingPrior)) {
      double[][] ab = likelihoodRatios(probabilities, trainingPrior);
      return newtonTwoClasses(ab[0], ab[1], weights, start[1]);
    }
    return emIterations(probabilities, trainingPrior, weights, start);
  }

  /** Plain EM iterations (Saerens et al. 2002), any number of classes. */
  static Em emIterations(double[][] probabilities, double[] trainingPrior, int[] weights, double[] start) {
    int k = trainingPrior.length;
    int n = probabilities.length;
    double[] q = start.clone();
    double[] ratio = new double[k];
    double[] next = new double[k];
    for (int iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
      for (int c = 0; c < k; c++) {
        ratio[c] = trainingPrior[c] > 0 ? q[c] / trainingPrior[c] : 0;
      }
      Arrays.fill(next, 0);
      for (int r = 0; r < n; r++) {
        int w = weights == null ? 1 : weights[r];
        if (w == 0) {
          continue;
        }
        double[] p = probabilities[r];
        double norm = 0;
        for (int c = 0; c < k; c++) {
          norm += ratio[c] * p[c];
        }
        if (norm > 0) {
          for (int c = 0; c < k; c++) {
            next[c] += w * ratio[c] * p[c] / norm;
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
   * Two classes: the root in [0, 1] of the score f(q) = sum_i w_i (a_i - b_i) / (q a_i + (1 - q) b_i), with
   * a_i = p_i1 / pi_1 and b_i = p_i0 / pi_0, which is EM's fixed-point equation. f is decreasing, so Newton steps
   * are kept inside a shrinking bracket and replaced by bisection when they leave it.
   */
  private static Em newtonTwoClasses(double[] a, double[] b, int[] weights, double start) {
    if (score(a, b, weights, 0)[0] <= 0) {
      return new Em(new double[] {1, 0}, 1);
    }
    if (score(a, b, weights, 1)[0] >= 0) {
      return new Em(new double[] {0, 1}, 1);
    }
    double lo = 0;
    double hi = 1;
    double q = Math.min(0.999, Math.max(1e-6, start));
    for (int iteration = 1; iteration <= 200; iteration++) {
      double[] fd = score(a, b, weights, q);
      if (fd[0] > 0) {
        lo = q;
      } else {
        hi = q;
      }
      double next = q - fd[0] / fd[1];
      if (!(next > lo && next < hi)) {
        next = (lo + hi) / 2;
      }
      if (Math.abs(next - q) < 1e-11 || hi - lo < 1e-11) {
        return new Em(new double[] {1 - next, next}, iteration);
      }
      q = next;
    }
    return new Em(new double[] {1 - q, q}, 200);
  }

  private static boolean twoClasses(double[] trainingPrior) {
    return trainingPrior.length == 2 && trainingPrior[0] > 0 && trainingPrior[1] > 0;
  }

  /** {a, b}: each row's probabilities divided by the training prior, a for class 1 and b for class 0. */
  private static double[][] likelihoodRatios(double[][] probabilities, double[] trainingPrior) {
    int n = probabilities.length;
    double[] a = new double[n];
    double[] b = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = probabilities[i][1] / trainingPrior[1];
      b[i] = probabilities[i][0] / trainingPrior[0];
    }
    return new double[][] {a, b};
  }

  /** {f(q), f'(q)} of the two-class likelihood equation. */
  private static double[] score(double[] a, double[] b, int[] weights, double q) {
    double f = 0;
    double d = 0;
    // no branch on zero weights: a bootstrap sample leaves 37% of rows out at random, which branch prediction
    // cannot learn; a zero weight simply adds nothing (the denominator is never 0, probabilities sum to 1)
    for (int i = 0; i < a.length; i++) {
      double w = weights == null ? 1 : weights[i];
      double term = (a[i] - b[i]) / (q * a[i] + (1 - q) * b[i]);
      double wt = w * term;
      f += wt;
      d -= wt * term;
    }
    return new double[] {f, d};
  }

  /**
   * Percentile bootstrap interval of the prior of one class: rows resampled with replacement from a seeded
   * generator (as counts per row), each replicate's estimate started at the point estimate.
   *
   * @return {lower, upper}
   */
  static double[] bootstrap(double[][] probabilities, double[] trainingPrior, double[] estimate, int target,
                            int replicates, double level, long seed) {
    int n = probabilities.length;
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[replicates];
    int[] weights = new int[n];
    double[][] ab = twoClasses(trainingPrior) ? likelihoodRatios(probabilities, trainingPrior) : null;
    for (int b = 0; b < replicates; b++) {
      Arrays.fill(weights, 0);
      for (int i = 0; i < n; i++) {
        weights[random.nextInt(n)]++;
      }
      values[b] = (ab != null ? newtonTwoClasses(ab[0], ab[1], weights, estimate[1])
          : emIterations(probabilities, trainingPrior, weights, estimate)).prior()[target];
    }
    Arrays.sort(values);
    double tail = (1 - level) / 2;
    return new double[] {percentile(values, tail), percentile(values, 1 - tail)};
  }

  /**
   * Likelihood-ratio test of "the window's prior is the training prior": 2 (l(q) - l(pi)) with
   * l(q) = sum_i log sum_c (q_c / pi_c) p_ic, which is 0 at q = pi, against chi-square with k - 1 degrees of freedom.
   * It decides whether prevalence shifted; the percentile bootstrap interval, which undercovers when the rare class
   * has only a handful of cases in the window (measured: 7-8% false alarms at 1,000-5,000 rows), only describes it.
   *
   * @return the p-value
   */
  static double likelihoodRatioP(double[][] probabilities, double[] trainingPrior, double[] prior) {
    int k = prior.length;
    double[] ratio = new double[k];
    int free = -1;
    for (int c = 0; c < k; c++) {
      ratio[c] = trainingPrior[c] > 0 ? prior[c] / trainingPrior[c] : 0;
      free += trainingPrior[c] > 0 ? 1 : 0;
    }
    double statistic = 0;
    for (double[] p : probabilities) {
      double mix = 0;
      double norm = 0;
      for (int c = 0; c < k; c++) {
        mix += ratio[c] * p[c];
        norm += trainingPrior[c] > 0 ? p[c] : 0;
      }
      if (mix > 0 && norm > 0) {
        statistic += 2 * Math.log(mix / norm);
      }
    }
    if (free < 1) {
      return 1;
    }
    return ChiSquaredDistribution.of(free).survivalProbability(Math.max(0, statistic));
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
    // the decided answers' class shares: an answer without an automated decision (-1) has no predicted class
    long decided = Arrays.stream(predicted).filter(c -> c >= 0).count();
    double[] mu = new double[k];
    for (int c : predicted) {
      if (c >= 0) {
        mu[c] += 1.0 / decided;
      }
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
