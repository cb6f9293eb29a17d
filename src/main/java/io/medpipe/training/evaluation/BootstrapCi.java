package io.medpipe.training.evaluation;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap 95% confidence intervals for the figures of one (rare) class: recall, precision and AUPRC.
 *
 * <p>Why: a rare class with 12 test patients has a recall of 11/12 = 0.92 by luck as easily as by skill. The clinical
 * thresholds are applied to the LOWER bound, so a small test set must earn its pass. Rows are resampled with
 * replacement {@code replicates} times with a seeded generator (same inputs, same interval); a replicate in which the
 * figure is undefined (no positive row drawn, or the class never predicted) is skipped and counted.
 *
 * <p>The percentile bootstrap degenerates at 0 and 1: 5 rare cases all found give every replicate a recall of 1, so
 * the interval would be [1, 1]. For recall and precision, proportions of k out of n, the lower bound is therefore the
 * smaller of the bootstrap percentile and the Wilson score bound (5 of 5: 0.57; 24 of 25: 0.80), so that a handful of test cases
 * cannot pass a threshold by luck.
 */
public final class BootstrapCi {

  public static final int DEFAULT_REPLICATES = 1000;

  /**
   * A point estimate with its 95% interval.
   *
   * @param value      the figure on all rows
   * @param lower      2.5th percentile of the bootstrap replicates (NaN if no replicate was defined)
   * @param upper      97.5th percentile
   * @param replicates how many replicates were defined and used
   */
  public record Interval(double value, double lower, double upper, int replicates) {
  }

  /** The three intervals of one class. */
  public record ClassIntervals(String label, Interval recall, Interval precision, Interval auprc) {
  }

  private BootstrapCi() {
  }

  /**
   * @param truth     true class per row
   * @param proba     probability per row and class
   * @param predicted decided class per row
   * @param c         the class to measure
   */
  public static ClassIntervals of(int[] truth, double[][] proba, int[] predicted, int c, String label,
                                  int replicates, long seed) {
    Objects.requireNonNull(truth, "truth");
    int n = truth.length;
    if (proba.length != n || predicted.length != n) {
      throw new IllegalArgumentException("truth, proba and predicted must have the same rows");
    }
    if (replicates < 100) {
      throw new IllegalArgumentException("at least 100 bootstrap replicates are needed, was " + replicates);
    }
    double[] score = new double[n];
    boolean[] positive = new boolean[n];
    boolean[] called = new boolean[n];
    for (int i = 0; i < n; i++) {
      score[i] = proba[i][c];
      positive[i] = truth[i] == c;
      called[i] = predicted[i] == c;
    }
    double[] recall = new double[replicates];
    double[] precision = new double[replicates];
    double[] auprc = new double[replicates];
    int nr = 0;
    int np = 0;
    int na = 0;
    SplittableRandom random = new SplittableRandom(seed);
    double[] s = new double[n];
    boolean[] pos = new boolean[n];
    for (int b = 0; b < replicates; b++) {
      int tp = 0;
      int fn = 0;
      int fp = 0;
      int positives = 0;
      for (int i = 0; i < n; i++) {
        int r = random.nextInt(n);
        s[i] = score[r];
        pos[i] = positive[r];
        if (positive[r]) {
          positives++;
          if (called[r]) {
            tp++;
          } else {
            fn++;
          }
        } else if (called[r]) {
          fp++;
        }
      }
      if (positives > 0) {
        recall[nr++] = (double) tp / (tp + fn);
        auprc[na++] = ClassificationMetrics.averagePrecision(s, pos);
      }
      if (tp + fp > 0) {
        precision[np++] = (double) tp / (tp + fp);
      }
    }
    int tp = 0;
    int positives = 0;
    int calls = 0;
    for (int i = 0; i < n; i++) {
      positives += positive[i] ? 1 : 0;
      calls += called[i] ? 1 : 0;
      tp += positive[i] && called[i] ? 1 : 0;
    }
    return new ClassIntervals(label,
        withWilsonFloor(interval(positives == 0 ? Double.NaN : (double) tp / positives, recall, nr), tp, positives),
        withWilsonFloor(interval(calls == 0 ? Double.NaN : (double) tp / calls, precision, np), tp, calls),
        interval(positives == 0 ? Double.NaN : ClassificationMetrics.averagePrecision(score, positive), auprc, na));
  }

  private static Interval interval(double value, double[] replicates, int defined) {
    if (defined == 0) {
      return new Interval(value, Double.NaN, Double.NaN, 0);
    }
    double[] v = Arrays.copyOf(replicates, defined);
    Arrays.sort(v);
    return new Interval(value, percentile(v, 0.025), percentile(v, 0.975), defined);
  }

  private static Interval withWilsonFloor(Interval bootstrap, int k, int n) {
    if (n == 0 || Double.isNaN(bootstrap.lower())) {
      return bootstrap;
    }
    return new Interval(bootstrap.value(), Math.min(bootstrap.lower(), wilsonLower(k, n)), bootstrap.upper(),
        bootstrap.replicates());
  }

  /** The lower bound of the 95% Wilson score interval of k successes in n trials. */
  static double wilsonLower(int k, int n) {
    double z = 1.959963984540054;
    double p = (double) k / n;
    double z2n = z * z / n;
    double centre = p + z2n / 2;
    double half = z * Math.sqrt(p * (1 - p) / n + z2n / (4 * n));
    return Math.max(0, (centre - half) / (1 + z2n));
  }

  /** Linear interpolation between closest ranks (numpy's default percentile) of values sorted ascending. */
  public static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
