package io.medpipe.monitoring.drift;

import java.util.Arrays;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.apache.commons.statistics.inference.FisherExactTest;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.inference.PValueMethod;
import org.apache.commons.statistics.inference.SignificanceResult;

/**
 * The two-sample tests and effect sizes that compare a reference with a window, one feature at a time.
 *
 * <p>P-values come from Apache commons-statistics-inference wherever it has the test (Kolmogorov-Smirnov, chi-square,
 * Fisher). Own code is limited to what it lacks: the Wasserstein-1 distance, the Jensen-Shannon distance, Cohen's h,
 * Kolmogorov's limiting distribution at an effective sample size (the library keeps its asymptotic formula private,
 * and the binned variant needs it for a reference known only by its bins), and the binned statistics themselves.
 */
final class TwoSample {

  /** Below this expected cell count the chi-square approximation of a 2 x 2 table is poor (Cochran's rule). */
  static final double MIN_EXPECTED_FOR_CHI_SQUARE = 5;

  private static final KolmogorovSmirnovTest KS_AUTO = KolmogorovSmirnovTest.withDefaults();
  private static final KolmogorovSmirnovTest KS_EXACT = KS_AUTO.with(PValueMethod.EXACT);
  private static final KolmogorovSmirnovTest KS_ASYMPTOTIC = KS_AUTO.with(PValueMethod.ASYMPTOTIC);

  /** A test's statistic and p-value, and which test produced them. */
  record Tested(String test, double statistic, double p) {
  }

  private TwoSample() {
  }

  /**
   * Two-sample Kolmogorov-Smirnov test. The p-value is exact while both samples are below 10,000 values and
   * asymptotic above (commons-statistics' AUTO rule, the same as scipy's {@code ks_2samp(method='auto')}). Ties
   * (rounded lab values) make the p-value conservative: the statistic is taken on the path through tied regions
   * with the least effect on D.
   *
   * @param reference at least 2 non-missing values
   * @param window    at least 2 non-missing values
   */
  static Tested ks(double[] reference, double[] window) {
    boolean exact = Math.max(reference.length, window.length) < 10_000;
    var result = KS_AUTO.test(reference, window);
    return new Tested(exact ? "ks-exact" : "ks-asymptotic", result.getStatistic(), result.getPValue());
  }

  /** Two-sample KS with the exact p-value, whatever the sample sizes (for reference checks). */
  static Tested ksExact(double[] reference, double[] window) {
    var result = KS_EXACT.test(reference, window);
    return new Tested("ks-exact", result.getStatistic(), result.getPValue());
  }

  /** Two-sample KS with the asymptotic p-value, whatever the sample sizes (for reference checks). */
  static Tested ksAsymptotic(double[] reference, double[] window) {
    var result = KS_ASYMPTOTIC.test(reference, window);
    return new Tested("ks-asymptotic", result.getStatistic(), result.getPValue());
  }

  /**
   * Survival function of Kolmogorov's limiting distribution, P(K > z), as scipy.special.kolmogorov. Two series:
   * the alternating one converges fast for large z, the theta-function form for small z.
   */
  static double kolmogorovSf(double z) {
    if (!(z > 0)) {
      return 1;
    }
    if (z < 1.0) {
      // P(K <= z) = sqrt(2 pi) / z * sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 z^2))
      double sum = 0;
      double f = Math.PI * Math.PI / (8 * z * z);
      for (int k = 1; k < 50; k++) {
        double term = Math.exp(-(2.0 * k - 1) * (2.0 * k - 1) * f);
        sum += term;
        if (term < 1e-17 * sum) {
          break;
        }
      }
      return Math.min(1, Math.max(0, 1 - Math.sqrt(2 * Math.PI) / z * sum));
    }
    // P(K > z) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 z^2)
    double sum = 0;
    for (int k = 1; k < 100; k++) {
      double term = Math.exp(-2.0 * k * k * z * z);
      sum += (k % 2 == 1 ? term : -term);
      if (term < 1e-17) {
        break;
      }
    }
    return Math.min(1, Math.max(0, 2 * sum));
  }

  /**
   * Wasserstein-1 (earth mover's) distance between two samples, the integral of |F - G| over the real line, as
   * scipy.stats.wasserstein_distance with equal weights. Commons-statistics has no such distance.
   *
   * @param a non-missing values (not modified)
   * @param b non-missing values (not modified)
   */
  static double wasserstein(double[] a, double[] b) {
    double[] x = a.clone();
    double[] y = b.clone();
    Arrays.sort(x);
    Arrays.sort(y);
    int i = 0;
    int j = 0;
    double area = 0;
    double previous = Math.min(x[0], y[0]);
    while (i < x.length || j < y.length) {
      double next = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
      area += Math.abs((double) i / x.length - (double) j / y.length) * (next - previous);
      while (i < x.length && x[i] == next) {
        i++;
      }
      while (j < y.length && y[j] == next) {
        j++;
      }
      previous = next;
    }
    return area;
  }

  /**
   * A numeric reference known only by its profile bins: {@code edges[j]} increasing, {@code counts[0]} the values
   * equal to {@code edges[0]} (the minimum) and {@code counts[j]} those in (edges[j-1], edges[j]].
   */
  record Bins(double[] edges, long[] counts) {

    long total() {
      long n = 0;
      for (long c : counts) {
        n += c;
      }
      return n;
    }
  }

  /**
   * Kolmogorov-Smirnov statistic between binned reference and raw window, evaluated where the reference's CDF is
   * known exactly: just below the smallest edge and at every edge. It is a lower bound of the raw D, so its p-value
   * (Kolmogorov's limiting distribution at the effective size n m / (n + m)) is conservative: approximate, never
   * more alarming than the raw test. With 50 quantile bins the bound is close for continuous values.
   *
   * @param window sorted non-missing window values, at least 1
   */
  static Tested ksBinned(Bins reference, double[] window) {
    double[] e = reference.edges();
    long[] c = reference.counts();
    long n = reference.total();
    int m = window.length;
    double d = (double) countBelow(window, e[0]) / m;
    long cumulative = 0;
    for (int j = 0; j < e.length; j++) {
      cumulative += c[j];
      double fw = (double) countAtMost(window, e[j]) / m;
      d = Math.max(d, Math.abs((double) cumulative / n - fw));
    }
    double effective = (double) n * m / (n + m);
    return new Tested("ks-binned", d, kolmogorovSf(Math.sqrt(effective) * d));
  }

  /**
   * Wasserstein-1 distance between binned reference and raw window. Inside the reference's range both are binned on
   * the same edges, each bin's mass spread evenly over it, so equal distributions give 0 even for discrete values;
   * window values outside the range count at their exact distance to it. Approximate: a shift smaller than a bin
   * shows only through the mass it moves across edges.
   *
   * @param window sorted non-missing window values, at least 1
   */
  static double wassersteinBinned(Bins reference, double[] window) {
    double[] e = reference.edges();
    long[] c = reference.counts();
    long n = reference.total();
    int m = window.length;
    double area = 0;
    for (double v : window) {
      if (v < e[0]) {
        area += (e[0] - v) / m;
      } else if (v > e[e.length - 1]) {
        area += (v - e[e.length - 1]) / m;
      }
    }
    long cumulative = c[0];
    double previousDiff = (double) cumulative / n - (double) countAtMost(window, e[0]) / m;
    for (int j = 1; j < e.length; j++) {
      cumulative += c[j];
      double diff = (double) cumulative / n - (double) countAtMost(window, e[j]) / m;
      area += integralOfAbsLinear(previousDiff, diff, e[j] - e[j - 1]);
      previousDiff = diff;
    }
    return area;
  }

  /** The integral over [0, width] of |a + (b - a) t / width|. */
  private static double integralOfAbsLinear(double a, double b, double width) {
    if (a * b >= 0) {
      return width * (Math.abs(a) + Math.abs(b)) / 2;
    }
    return width * (a * a + b * b) / (2 * (Math.abs(a) + Math.abs(b)));
  }

  /** Number of values in the sorted array strictly below v. */
  static int countBelow(double[] sorted, double v) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Number of values in the sorted array at most v. */
  static int countAtMost(double[] sorted, double v) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Chi-square test of homogeneity on the 2 x k table (reference counts, window counts) without continuity
   * correction, as scipy's chi2_contingency(correction=False). A category absent from both samples says nothing
   * and would give a zero expected count, so its column is dropped; with fewer than two columns left the samples
   * cannot differ (statistic 0, p 1).
   *
   * @return null if either row is empty (nothing to compare)
   */
  static Tested chiSquareHomogeneity(long[] reference, long[] window) {
    int k = reference.length;
    long referenceTotal = 0;
    long windowTotal = 0;
    int columns = 0;
    for (int j = 0; j < k; j++) {
      referenceTotal += reference[j];
      windowTotal += window[j];
      if (reference[j] + window[j] > 0) {
        columns++;
      }
    }
    if (referenceTotal == 0 || windowTotal == 0) {
      return null;
    }
    if (columns < 2) {
      return new Tested("chi-square", 0, 1);
    }
    long[][] table = new long[2][columns];
    int col = 0;
    for (int j = 0; j < k; j++) {
      if (reference[j] + window[j] > 0) {
        table[0][col] = reference[j];
        table[1][col] = window[j];
        col++;
      }
    }
    SignificanceResult result = ChiSquareTest.withDefaults().test(table);
    return new Tested("chi-square", result.getStatistic(), result.getPValue());
  }

  /**
   * Two-proportion test for a 2 x 2 table of (events, non-events) in reference and window: Fisher's exact test when
   * an expected count is below 5 (where the chi-square approximation fails), else the chi-square test without
   * continuity correction. When every row is an event, or none is, the proportions cannot differ (p 1).
   */
  static Tested twoProportions(long referenceEvents, long referenceRows, long windowEvents, long windowRows) {
    long events = referenceEvents + windowEvents;
    long total = referenceRows + windowRows;
    if (referenceRows == 0 || windowRows == 0) {
      return null;
    }
    if (events == 0 || events == total) {
      return new Tested("none (no variation)", 0, 1);
    }
    long[][] table = {
        {referenceEvents, referenceRows - referenceEvents},
        {windowEvents, windowRows - windowEvents}};
    double minExpected = Math.min(Math.min(events, total - events) * (double) Math.min(referenceRows, windowRows)
        / total, Double.MAX_VALUE);
    if (minExpected < MIN_EXPECTED_FOR_CHI_SQUARE && total <= Integer.MAX_VALUE) {
      int[][] small = {
          {(int) table[0][0], (int) table[0][1]},
          {(int) table[1][0], (int) table[1][1]}};
      SignificanceResult result = FisherExactTest.withDefaults().test(small);
      return new Tested("fisher-exact", result.getStatistic(), result.getPValue());
    }
    SignificanceResult result = ChiSquareTest.withDefaults().test(table);
    return new Tested("chi-square", result.getStatistic(), result.getPValue());
  }

  /**
   * Jensen-Shannon distance with log base 2 (so it lies in [0, 1]) between two count vectors, each normalised to a
   * distribution, as scipy.spatial.distance.jensenshannon(p, q, base=2).
   */
  static double jensenShannon(long[] p, long[] q) {
    double sp = 0;
    double sq = 0;
    for (int j = 0; j < p.length; j++) {
      sp += p[j];
      sq += q[j];
    }
    if (sp == 0 || sq == 0) {
      return Double.NaN;
    }
    double divergence = 0;
    for (int j = 0; j < p.length; j++) {
      double a = p[j] / sp;
      double b = q[j] / sq;
      double mid = (a + b) / 2;
      if (a > 0) {
        divergence += 0.5 * a * Math.log(a / mid);
      }
      if (b > 0) {
        divergence += 0.5 * b * Math.log(b / mid);
      }
    }
    return Math.sqrt(Math.max(0, divergence / Math.log(2)));
  }

  /**
   * Cohen's h, |2 asin sqrt(p1) - 2 asin sqrt(p2)|: the effect size of a difference between two proportions that
   * weighs a change near 0 (a lab that was rarely missing) more than the same difference near 0.5.
   */
  static double cohenH(double p1, double p2) {
    return Math.abs(2 * Math.asin(Math.sqrt(p1)) - 2 * Math.asin(Math.sqrt(p2)));
  }

  /** Population mean and standard deviation (ddof 0, as numpy's std, which Evidently norms Wasserstein by). */
  static double[] meanSd(double[] values) {
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= values.length;
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    return new double[] {mean, Math.sqrt(ss / values.length)};
  }

  /**
   * The Wasserstein distance in units of the reference's standard deviation: unit-free, so one threshold serves
   * creatinine in umol/L and age in years (0.1 = a tenth of the reference spread, Evidently's default). A constant
   * reference has no spread: any distance from it is infinitely large, none is 0.
   */
  static double normed(double wasserstein, double referenceSd) {
    if (referenceSd > 0) {
      return wasserstein / referenceSd;
    }
    return wasserstein > 0 ? Double.POSITIVE_INFINITY : 0;
  }
}
