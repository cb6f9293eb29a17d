package io.medpipe.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Each statistic against scipy on fixed data. Values from src/test/resources/monitoring/reference_values.py
 * (scipy 1.17.1); the scipy call that produced each is named beside it.
 */
class TwoSampleStatisticsTest {

  static final double[] KS_X = {0.61, 1.42, 2.05, 2.88, 3.10, 3.95, 4.40, 5.12, 5.96, 6.30};
  static final double[] KS_Y = {1.75, 2.60, 3.33, 4.05, 4.71, 5.30, 5.85, 6.48, 7.02, 7.66, 8.14, 8.90};
  static final double[] TIES_X = {1.0, 1.2, 1.2, 1.5, 1.7, 1.7, 1.7, 2.0, 2.2, 2.5, 2.5, 3.0};
  static final double[] TIES_Y = {1.2, 1.5, 1.7, 2.0, 2.0, 2.2, 2.5, 2.8, 3.0, 3.0, 3.3, 3.5, 3.9, 4.0};

  static double[] lcgX() {
    return Arrays.stream(DriftFixtures.lcgUniform(11, 300)).map(u -> 10.0 * u).toArray();
  }

  static double[] lcgY() {
    return Arrays.stream(DriftFixtures.lcgUniform(12, 400)).map(u -> 10.0 * 1.1 * u + 0.2).toArray();
  }

  @Test
  void ksExactMatchesScipyOnSmallSamples() {
    // scipy.stats.ks_2samp(KS_X, KS_Y, method='exact') -> D 0.4166666666666667, p 0.23373839782508513
    TwoSample.Tested t = TwoSample.ks(KS_X, KS_Y);
    assertThat(t.test()).isEqualTo("ks-exact");
    assertThat(t.statistic()).isCloseTo(0.4166666666666667, within(1e-12));
    assertThat(t.p()).isCloseTo(0.23373839782508513, within(1e-9));
  }

  @Test
  void ksExactWithTiesMatchesScipy() {
    // scipy.stats.ks_2samp(TIES_X, TIES_Y, method='exact') -> D 0.4166666666666667, p 0.1626706151568179
    TwoSample.Tested t = TwoSample.ks(TIES_X, TIES_Y);
    assertThat(t.statistic()).isCloseTo(0.4166666666666667, within(1e-12));
    assertThat(t.p()).isCloseTo(0.1626706151568179, within(1e-9));
  }

  @Test
  void ksOnLargerSamplesMatchesScipyExactAndAsymptotic() {
    // scipy.stats.ks_2samp(lx, ly, method='exact') -> D 0.15416666666666667, p 0.0005171451928135364
    TwoSample.Tested exact = TwoSample.ksExact(lcgX(), lcgY());
    assertThat(exact.statistic()).isCloseTo(0.15416666666666667, within(1e-12));
    assertThat(exact.p()).isCloseTo(0.0005171451928135364, within(1e-12));
    // scipy.stats.ks_2samp(lx, ly, method='asymp') -> p 0.0005148952083482958 (kstwo.sf at round(n m / (n + m)));
    // commons-statistics' asymptotic p uses the unrounded effective size, so they agree to 2%, not to the digit.
    TwoSample.Tested asymptotic = TwoSample.ksAsymptotic(lcgX(), lcgY());
    assertThat(asymptotic.statistic()).isCloseTo(0.15416666666666667, within(1e-12));
    assertThat(asymptotic.p()).isCloseTo(0.0005148952083482958, within(0.02 * 0.0005148952083482958));
  }

  @Test
  void kolmogorovLimitingDistributionMatchesScipy() {
    // scipy.special.kolmogorov(z) for z = 0.5, 1.0, 1.36, 2.0
    assertThat(TwoSample.kolmogorovSf(0.5)).isCloseTo(0.9639452436648751, within(1e-12));
    assertThat(TwoSample.kolmogorovSf(1.0)).isCloseTo(0.26999967167735456, within(1e-12));
    assertThat(TwoSample.kolmogorovSf(1.36)).isCloseTo(0.049485876755377876, within(1e-12));
    assertThat(TwoSample.kolmogorovSf(2.0)).isCloseTo(0.0006709252557796953, within(1e-14));
    assertThat(TwoSample.kolmogorovSf(0)).isEqualTo(1.0);
  }

  @Test
  void wassersteinMatchesScipy() {
    // scipy.stats.wasserstein_distance(KS_X, KS_Y) -> 1.9035
    assertThat(TwoSample.wasserstein(KS_X, KS_Y)).isCloseTo(1.9035, within(1e-12));
    // scipy.stats.wasserstein_distance(TIES_X, TIES_Y) -> 0.7642857142857142
    assertThat(TwoSample.wasserstein(TIES_X, TIES_Y)).isCloseTo(0.7642857142857142, within(1e-12));
    // wasserstein_distance(lx, ly) -> 0.8028833567131343; / np.std(lx) -> 0.2799305973697342
    double w = TwoSample.wasserstein(lcgX(), lcgY());
    assertThat(w).isCloseTo(0.8028833567131343, within(1e-10));
    assertThat(TwoSample.normed(w, TwoSample.meanSd(lcgX())[1])).isCloseTo(0.2799305973697342, within(1e-10));
  }

  @Test
  void wassersteinIsSymmetricAndZeroForEqualSamples() {
    assertThat(TwoSample.wasserstein(KS_Y, KS_X)).isCloseTo(1.9035, within(1e-12));
    assertThat(TwoSample.wasserstein(TIES_X, TIES_X.clone())).isZero();
  }

  @Test
  void chiSquareHomogeneityMatchesScipy() {
    // scipy.stats.chi2_contingency([[120,45,30,5],[98,60,22,20]], correction=False) -> 14.593809859864905,
    // p 0.0021988217047809685, dof 3
    TwoSample.Tested t = TwoSample.chiSquareHomogeneity(new long[] {120, 45, 30, 5}, new long[] {98, 60, 22, 20});
    assertThat(t.statistic()).isCloseTo(14.593809859864905, within(1e-9));
    assertThat(t.p()).isCloseTo(0.0021988217047809685, within(1e-12));
  }

  @Test
  void chiSquareDropsACategoryAbsentFromBothSamples() {
    // scipy refuses the zero column; chi2_contingency([[50,30,20],[35,45,20]], correction=False) ->
    // 5.647058823529411, p 0.05939593960520477, dof 2
    TwoSample.Tested t = TwoSample.chiSquareHomogeneity(new long[] {50, 0, 30, 20}, new long[] {35, 0, 45, 20});
    assertThat(t.statistic()).isCloseTo(5.647058823529411, within(1e-9));
    assertThat(t.p()).isCloseTo(0.05939593960520477, within(1e-12));
  }

  @Test
  void chiSquareKeepsACategoryNewInTheWindow() {
    // scipy.stats.chi2_contingency([[70,30,0],[60,30,10]], correction=False) -> 10.76923076923077,
    // p 0.004586604061523324, dof 2
    TwoSample.Tested t = TwoSample.chiSquareHomogeneity(new long[] {70, 30, 0}, new long[] {60, 30, 10});
    assertThat(t.statistic()).isCloseTo(10.76923076923077, within(1e-9));
    assertThat(t.p()).isCloseTo(0.004586604061523324, within(1e-12));
  }

  @Test
  void chiSquareOfOneCategoryOrAnEmptySideIsNoTest() {
    assertThat(TwoSample.chiSquareHomogeneity(new long[] {0, 40, 0}, new long[] {0, 12, 0}).p()).isEqualTo(1.0);
    assertThat(TwoSample.chiSquareHomogeneity(new long[] {0, 0}, new long[] {3, 4})).isNull();
  }

  @Test
  void jensenShannonBase2MatchesScipy() {
    // scipy.spatial.distance.jensenshannon([120,45,30,5], [98,60,22,20], base=2) -> 0.1658195169009181
    assertThat(TwoSample.jensenShannon(new long[] {120, 45, 30, 5}, new long[] {98, 60, 22, 20}))
        .isCloseTo(0.1658195169009181, within(1e-12));
    // jensenshannon([70,30,0], [60,30,10], base=2) -> 0.22973279292429816
    assertThat(TwoSample.jensenShannon(new long[] {70, 30, 0}, new long[] {60, 30, 10}))
        .isCloseTo(0.22973279292429816, within(1e-12));
    // jensenshannon([1,0], [0,1], base=2) -> 1.0: base 2 bounds the distance by 1
    assertThat(TwoSample.jensenShannon(new long[] {1, 0}, new long[] {0, 1})).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void missingRateTestsMatchScipy() {
    // scipy.stats.chi2_contingency([[40,960],[70,930]], correction=False) -> 8.658008658008658,
    // p 0.0032562696284120763
    TwoSample.Tested chi = TwoSample.twoProportions(40, 1000, 70, 1000);
    assertThat(chi.test()).isEqualTo("chi-square");
    assertThat(chi.statistic()).isCloseTo(8.658008658008658, within(1e-9));
    assertThat(chi.p()).isCloseTo(0.0032562696284120763, within(1e-12));
    // small expected counts: scipy.stats.fisher_exact([[1,199],[7,143]]) -> p 0.023129552429326877
    TwoSample.Tested fisher = TwoSample.twoProportions(1, 200, 7, 150);
    assertThat(fisher.test()).isEqualTo("fisher-exact");
    assertThat(fisher.p()).isCloseTo(0.023129552429326877, within(1e-12));
    // Cohen's h for 0.04 against 0.07: |2 asin sqrt(0.07) - 2 asin sqrt(0.04)| -> 0.13281081273372625
    assertThat(TwoSample.cohenH(0.04, 0.07)).isCloseTo(0.13281081273372625, within(1e-12));
    // nothing missing on either side: no test needed, p 1
    assertThat(TwoSample.twoProportions(0, 500, 0, 300).p()).isEqualTo(1.0);
  }

  @Test
  void binnedKsAndWassersteinApproachTheRawOnesAndNeverExceedD() {
    double[] x = lcgX();
    double[] y = lcgY();
    Arrays.sort(y);
    double[] sorted = x.clone();
    Arrays.sort(sorted);
    ReferenceProfile.NumericSummary summary = ReferenceProfile.profileOf(DriftFixtures.features().get(0), x, 50)
        .numeric();
    TwoSample.Bins bins = summary.bins();
    assertThat(bins.total()).isEqualTo(300);
    TwoSample.Tested binned = TwoSample.ksBinned(bins, y);
    double rawD = TwoSample.ksExact(x, y).statistic();
    assertThat(binned.statistic()).isLessThanOrEqualTo(rawD + 1e-12).isGreaterThan(rawD - 0.03);
    // conservative: never a smaller p-value than Kolmogorov's formula at the raw D
    double effective = 300.0 * 400 / 700;
    assertThat(binned.p()).isGreaterThanOrEqualTo(TwoSample.kolmogorovSf(Math.sqrt(effective) * rawD));
    assertThat(TwoSample.wassersteinBinned(bins, y)).isCloseTo(TwoSample.wasserstein(x, y), within(0.03));
  }

  @Test
  void binnedStatisticsOfTheReferenceItselfAreZeroEvenForDiscreteValues() {
    double[] discrete = new double[400];
    for (int i = 0; i < discrete.length; i++) {
      discrete[i] = i % 7;
    }
    TwoSample.Bins bins = ReferenceProfile.profileOf(DriftFixtures.features().get(0), discrete, 50).numeric().bins();
    assertThat(bins.edges()).containsExactly(0, 1, 2, 3, 4, 5, 6);
    double[] sorted = discrete.clone();
    Arrays.sort(sorted);
    assertThat(TwoSample.ksBinned(bins, sorted).statistic()).isZero();
    assertThat(TwoSample.wassersteinBinned(bins, sorted)).isZero();
    // a shift of one unit moves all the mass: raw W = 1; binned, the reference's point mass at the minimum is
    // compared with window mass spread over the first bin, so the approximation is close, not exact
    double[] shifted = Arrays.stream(sorted).map(v -> v + 1).toArray();
    assertThat(TwoSample.wassersteinBinned(bins, shifted)).isCloseTo(1.0, within(0.01));
    assertThat(TwoSample.wasserstein(discrete, shifted)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void normedWassersteinOfAConstantReference() {
    assertThat(TwoSample.normed(0, 0)).isZero();
    assertThat(TwoSample.normed(0.5, 0)).isInfinite();
    assertThat(TwoSample.normed(0.5, 2)).isEqualTo(0.25);
  }
}
