package io.medpipe.monitoring.drift;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureType;
import io.medpipe.monitoring.drift.ReferenceProfile.FeatureProfile;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Chooses and runs the tests of one feature, before the multiple-testing correction. The rule:
 *
 * <ul>
 *   <li>numeric, raw reference rows available: two-sample Kolmogorov-Smirnov (exact p below 10,000 values per side,
 *       asymptotic above), effect = Wasserstein-1 distance normed by the reference's standard deviation;</li>
 *   <li>numeric, profile only: the same statistics from the profile's quantile bins (approximate, conservative);</li>
 *   <li>binary or categorical: chi-square test of homogeneity on the 2 x k table of category counts (categories
 *       absent from both dropped, values that are no known category in a column of their own); when only two
 *       columns remain and an expected count is below 5, Fisher's exact test; effect = Jensen-Shannon distance,
 *       base 2;</li>
 *   <li>every type: the missing rate as a separate two-proportion test (chi-square 2 x 2, or Fisher's exact when
 *       an expected count is below 5), effect = Cohen's h. Missing values are never dropped unseen: they are what
 *       this test counts.</li>
 * </ul>
 * A distribution test needs 2 non-missing values on each side; with fewer it is reported as not tested.
 */
final class FeatureTests {

  static final String WASSERSTEIN_NORMED = "wasserstein-normed";
  static final String JENSEN_SHANNON = "jensen-shannon-base2";
  static final String COHEN_H = "cohen-h";

  /** One test's outcome before adjustment; {@code tested} null when it could not run. */
  record Outcome(TwoSample.Tested tested, String effectSize, double effect, String note) {
  }

  /** Both tests of one feature and its window counts. */
  record Result(Outcome distribution, Outcome missingness, long windowMissing, double windowMissingRate,
                long unseenRows, int unseenCodes) {
  }

  private FeatureTests() {
  }

  /**
   * @param reference       the feature's profile
   * @param referenceColumn the raw reference values, or null to use the profile's bins
   * @param window          the window's values (NaN = missing)
   */
  static Result run(FeatureProfile reference, double[] referenceColumn, double[] window) {
    Feature feature = reference.feature();
    long windowMissing = Arrays.stream(window).filter(Double::isNaN).count();
    Outcome missingness = missingness(reference.missing(), reference.rows(), windowMissing, window.length);
    double windowMissingRate = window.length == 0 ? 0 : (double) windowMissing / window.length;
    if (feature.type() == FeatureType.NUMERIC) {
      return new Result(numeric(reference, referenceColumn, window), missingness, windowMissing, windowMissingRate,
          0, 0);
    }
    int levels = ReferenceProfile.levelCount(feature);
    long[] windowCounts = new long[levels + 1];
    Set<Double> unseen = new HashSet<>();
    for (double v : window) {
      if (!Double.isNaN(v)) {
        int code = ReferenceProfile.codeOf(v, levels);
        if (code < 0) {
          windowCounts[levels]++;
          unseen.add(v);
        } else {
          windowCounts[code]++;
        }
      }
    }
    long[] referenceCounts = new long[levels + 1];
    if (referenceColumn != null) {
      FeatureProfile raw = ReferenceProfile.profileOf(feature, referenceColumn, 2);
      fill(referenceCounts, raw);
    } else {
      fill(referenceCounts, reference);
    }
    return new Result(categorical(referenceCounts, windowCounts), missingness, windowMissing, windowMissingRate,
        windowCounts[levels], unseen.size());
  }

  private static void fill(long[] counts, FeatureProfile profile) {
    for (int j = 0; j < profile.categoryCounts().size(); j++) {
      counts[j] = profile.categoryCounts().get(j);
    }
    counts[counts.length - 1] = profile.otherCount();
  }

  static Outcome missingness(long referenceMissing, long referenceRows, long windowMissing, long windowRows) {
    TwoSample.Tested tested = TwoSample.twoProportions(referenceMissing, referenceRows, windowMissing, windowRows);
    double h = referenceRows == 0 || windowRows == 0 ? Double.NaN
        : TwoSample.cohenH((double) referenceMissing / referenceRows, (double) windowMissing / windowRows);
    return new Outcome(tested, COHEN_H, h, tested == null ? "no rows on one side" : null);
  }

  private static Outcome numeric(FeatureProfile reference, double[] referenceColumn, double[] window) {
    double[] w = present(window);
    if (w.length < 2) {
      return new Outcome(null, WASSERSTEIN_NORMED, Double.NaN,
          "fewer than 2 non-missing values in the window (" + w.length + ")");
    }
    Arrays.sort(w);
    if (referenceColumn != null) {
      double[] r = present(referenceColumn);
      if (r.length < 2) {
        return new Outcome(null, WASSERSTEIN_NORMED, Double.NaN,
            "fewer than 2 non-missing values in the reference (" + r.length + ")");
      }
      return new Outcome(TwoSample.ks(r, w), WASSERSTEIN_NORMED,
          TwoSample.normed(TwoSample.wasserstein(r, w), TwoSample.meanSd(r)[1]), null);
    }
    if (reference.numeric() == null || reference.rows() - reference.missing() < 2) {
      return new Outcome(null, WASSERSTEIN_NORMED, Double.NaN,
          "fewer than 2 non-missing values in the reference");
    }
    TwoSample.Bins bins = reference.numeric().bins();
    return new Outcome(TwoSample.ksBinned(bins, w), WASSERSTEIN_NORMED,
        TwoSample.normed(TwoSample.wassersteinBinned(bins, w), reference.numeric().sd()),
        "binned: no raw reference rows, the reference is known by its "
            + bins.edges().length + " quantile edges (approximate, conservative)");
  }

  /** Chi-square homogeneity (or Fisher on a 2 x 2) and the Jensen-Shannon distance of two count vectors. */
  static Outcome categorical(long[] reference, long[] window) {
    long referenceTotal = Arrays.stream(reference).sum();
    long windowTotal = Arrays.stream(window).sum();
    if (referenceTotal == 0 || windowTotal == 0) {
      return new Outcome(null, JENSEN_SHANNON, Double.NaN,
          "no non-missing values in the " + (referenceTotal == 0 ? "reference" : "window"));
    }
    double js = TwoSample.jensenShannon(reference, window);
    int[] nonEmpty = java.util.stream.IntStream.range(0, reference.length)
        .filter(j -> reference[j] + window[j] > 0).toArray();
    if (nonEmpty.length == 2) {
      int a = nonEmpty[0];
      return new Outcome(TwoSample.twoProportions(reference[a], referenceTotal, window[a], windowTotal),
          JENSEN_SHANNON, js, null);
    }
    TwoSample.Tested tested = TwoSample.chiSquareHomogeneity(reference, window);
    String note = null;
    if (nonEmpty.length > 2 && minExpected(reference, window, referenceTotal, windowTotal) < 5) {
      note = "an expected count is below 5: the chi-square p-value is approximate";
    }
    return new Outcome(tested, JENSEN_SHANNON, js, note);
  }

  private static double minExpected(long[] reference, long[] window, long referenceTotal, long windowTotal) {
    double total = referenceTotal + windowTotal;
    double min = Double.POSITIVE_INFINITY;
    for (int j = 0; j < reference.length; j++) {
      long column = reference[j] + window[j];
      if (column > 0) {
        min = Math.min(min, column * Math.min(referenceTotal, windowTotal) / total);
      }
    }
    return min;
  }

  static double[] present(double[] values) {
    return Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
  }

  /**
   * The two effect sizes of a raw reference-against-raw sample comparison: {distribution, missingness}. Used to
   * learn the bands a same-population split reaches by chance.
   */
  static double[] effects(Feature feature, double[] a, double[] b) {
    long missingA = Arrays.stream(a).filter(Double::isNaN).count();
    long missingB = Arrays.stream(b).filter(Double::isNaN).count();
    double h = TwoSample.cohenH((double) missingA / a.length, (double) missingB / b.length);
    double distribution;
    if (feature.type() == FeatureType.NUMERIC) {
      double[] pa = present(a);
      double[] pb = present(b);
      distribution = pa.length < 2 || pb.length < 2 ? Double.NaN
          : TwoSample.normed(TwoSample.wasserstein(pa, pb), TwoSample.meanSd(pa)[1]);
    } else {
      int levels = ReferenceProfile.levelCount(feature);
      long[] ca = new long[levels + 1];
      long[] cb = new long[levels + 1];
      fill(ca, ReferenceProfile.profileOf(feature, a, 2));
      fill(cb, ReferenceProfile.profileOf(feature, b, 2));
      distribution = TwoSample.jensenShannon(ca, cb);
    }
    return new double[] {distribution, h};
  }
}
