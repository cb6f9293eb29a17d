package io.medpipe.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PriorShiftTest {

  @Test
  void emReachesTheMaximumLikelihoodPriorOfAHandExample() {
    // Training prior (0.8, 0.2); the root of the likelihood equation by scipy.optimize.brentq (reference_values.py,
    // em_hand) is q1 = 0.8814129932018616.
    double[][] p = {{0.1, 0.9}, {0.4, 0.6}, {0.65, 0.35}, {0.8, 0.2}, {0.95, 0.05}};
    PriorShift.Em em = PriorShift.em(p, new double[] {0.8, 0.2});
    assertThat(em.prior()[1]).isCloseTo(0.8814129932018616, within(1e-6));
    assertThat(em.prior()[0] + em.prior()[1]).isCloseTo(1.0, within(1e-12));
    // 2 sum log(q a_i + (1 - q) b_i) = 3.703451005142514, scipy.stats.chi2.sf(3.7034..., 1) = 0.05430005042457619
    assertThat(PriorShift.likelihoodRatioP(p, new double[] {0.8, 0.2}, em.prior()))
        .isCloseTo(0.05430005042457619, within(1e-6));
    // at the training prior itself there is nothing to test
    assertThat(PriorShift.likelihoodRatioP(p, new double[] {0.8, 0.2}, new double[] {0.8, 0.2})).isEqualTo(1.0);
  }

  @Test
  void emKeepsThePriorOfAWindowFromTheReferencePopulation() {
    DriftFixtures.Cohort c = DriftFixtures.cohort(50_000, DriftFixtures.Shift.none(), 3);
    double realised = Arrays.stream(c.truth()).average().orElseThrow();
    double em = PriorShift.em(c.probabilities(), new double[] {0.99, 0.01}).prior()[1];
    assertThat(em).isCloseTo(realised, within(0.003));
  }

  @Test
  void emRecoversAPrevalenceShiftFromOneToThreePercent() {
    DriftFixtures.Cohort c = DriftFixtures.cohort(50_000, DriftFixtures.Shift.none().prevalence(0.03), 4);
    double realised = Arrays.stream(c.truth()).average().orElseThrow();
    assertThat(realised).isCloseTo(0.03, within(0.003));
    double[] prior = {0.99, 0.01};
    PriorShift.Em em = PriorShift.em(c.probabilities(), prior);
    // over 30 seeds EM minus the realised prevalence averaged 0.00007 with sd 0.00106: 0.004 is about 4 sd
    assertThat(em.prior()[1]).isCloseTo(realised, within(0.004));
    double[] interval = PriorShift.bootstrap(c.probabilities(), prior, em.prior(), 1, 200, 0.95, 7);
    assertThat(interval[0]).isLessThan(em.prior()[1]).isGreaterThan(0.01);
    assertThat(interval[1]).isGreaterThan(em.prior()[1]);
    // the interval's width matches that spread: +-1.96 sd is about 0.004 wide
    assertThat(interval[1] - interval[0]).isBetween(0.002, 0.008);
    // the mean probability alone, without EM, would stay near the training prior's scale
    double naive = Arrays.stream(c.probabilities()).mapToDouble(r -> r[1]).average().orElseThrow();
    assertThat(Math.abs(naive - realised)).isGreaterThan(Math.abs(em.prior()[1] - realised));
  }

  @Test
  void newtonFindsTheSameFixedPointAsPlainEmIterations() {
    DriftFixtures.Cohort c = DriftFixtures.cohort(20_000, DriftFixtures.Shift.none().prevalence(0.05), 8);
    double[] prior = {0.99, 0.01};
    double newton = PriorShift.em(c.probabilities(), prior).prior()[1];
    double plain = PriorShift.emIterations(c.probabilities(), prior, null, prior).prior()[1];
    assertThat(newton).isCloseTo(plain, within(1e-6));
    // and with bootstrap weights
    int[] weights = new int[20_000];
    for (int i = 0; i < weights.length; i += 3) {
      weights[i] = 3;
    }
    assertThat(PriorShift.em(c.probabilities(), prior, weights, prior).prior()[1])
        .isCloseTo(PriorShift.emIterations(c.probabilities(), prior, weights, prior).prior()[1], within(1e-6));
  }

  @Test
  void emHandlesThreeClasses() {
    // rows certain of their class: the prior is the class shares, whatever the training prior
    double[][] p = {{1, 0, 0}, {0, 1, 0}, {0, 1, 0}, {0, 0, 1}};
    PriorShift.Em em = PriorShift.em(p, new double[] {0.5, 0.3, 0.2});
    assertThat(em.prior()).containsExactly(new double[] {0.25, 0.5, 0.25}, within(1e-9));
  }

  @Test
  void bbseSolvesAHandExample() {
    // confusion [predicted][true] = [[45, 5], [5, 45]]: P(pred | true) = [[0.9, 0.1], [0.1, 0.9]], prior (0.5, 0.5).
    // Window predicts class 0 for 30%: 0.9 q0 + 0.1 q1 = 0.3 with q0 + q1 = 1 gives q = (0.25, 0.75);
    // w = q / prior = (0.5, 1.5), the solution of C w = mu with C the joint [[0.45, 0.05], [0.05, 0.45]].
    int[] predicted = new int[100];
    Arrays.fill(predicted, 30, 100, 1);
    PriorShift.Bbse bbse = PriorShift.bbse(new long[][] {{45, 5}, {5, 45}}, predicted);
    assertThat(bbse.prior()[0]).isCloseTo(0.25, within(1e-12));
    assertThat(bbse.prior()[1]).isCloseTo(0.75, within(1e-12));
    // ||M||_1 = 1, M^-1 = [[1.125, -0.125], [-0.125, 1.125]]: ||M^-1||_1 = 1.25
    assertThat(bbse.condition()).isCloseTo(1.25, within(1e-12));
  }

  @Test
  void bbseClipsNegativeWeightsAndReportsASingularMatrix() {
    // every window row predicted 0, more than even a pure class-0 window would give: q1 < 0 is clipped to 0
    PriorShift.Bbse clipped = PriorShift.bbse(new long[][] {{45, 5}, {5, 45}}, new int[50]);
    assertThat(clipped.prior()).containsExactly(1.0, 0.0);
    // a classifier that cannot tell the classes apart: identical columns
    PriorShift.Bbse singular = PriorShift.bbse(new long[][] {{30, 30}, {20, 20}}, new int[] {0, 1, 1});
    assertThat(singular.prior()[1]).isNaN();
    assertThat(singular.condition()).isInfinite();
  }

  @Test
  void bbseRecoversAPrevalenceShiftFromTheReferenceConfusionMatrix() {
    DriftFixtures.Cohort reference = DriftFixtures.cohort(50_000, DriftFixtures.Shift.none(), 5);
    DriftFixtures.Cohort window = DriftFixtures.cohort(50_000, DriftFixtures.Shift.none().prevalence(0.03), 6);
    long[][] confusion = DriftFixtures.profile(reference).confusionMatrix();
    PriorShift.Bbse bbse = PriorShift.bbse(confusion, window.predicted());
    double realised = Arrays.stream(window.truth()).average().orElseThrow();
    assertThat(bbse.prior()[1]).isCloseTo(realised, within(0.006));
    assertThat(bbse.condition()).isLessThan(PriorShift.ILL_CONDITIONED);
  }

  @Test
  void adjustedProbabilitiesFollowTheNewPrior() {
    // p = 0.5 at prior 0.5 becomes the new prior itself
    double[][] adjusted = PriorShift.adjust(new double[][] {{0.5, 0.5}}, new double[] {0.5, 0.5},
        new double[] {0.8, 0.2});
    assertThat(adjusted[0][1]).isCloseTo(0.2, within(1e-12));
  }
}
