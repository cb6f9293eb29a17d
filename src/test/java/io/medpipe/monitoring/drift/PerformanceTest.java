package io.medpipe.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.monitoring.drift.DriftReport.ExpectedPerformance;
import io.medpipe.monitoring.drift.DriftReport.LivePerformance;
import io.medpipe.monitoring.drift.DriftReport.Rate;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PerformanceTest {

  @Test
  void wilsonIntervalsMatchScipy() {
    // scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method='wilson')
    Rate a = Performance.wilson(18, 20);
    assertThat(a.lower()).isCloseTo(0.6989663547715128, within(1e-9));
    assertThat(a.upper()).isCloseTo(0.9721335187862319, within(1e-9));
    Rate b = Performance.wilson(0, 12);
    assertThat(b.lower()).isCloseTo(0.0, within(1e-12));
    assertThat(b.upper()).isCloseTo(0.24249400665524085, within(1e-9));
    Rate c = Performance.wilson(47, 50);
    assertThat(c.lower()).isCloseTo(0.8378290831116182, within(1e-9));
    assertThat(c.upper()).isCloseTo(0.979385029651026, within(1e-9));
    assertThat(Performance.wilson(0, 0).value()).isNaN();
  }

  @Test
  void aPredictionWithoutFeedbackIsNotANegative() {
    // 10 predictions of class 1; feedback on 4: 3 confirmed, 1 was class 0; 6 without feedback
    int[] predicted = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    int[] feedback = {1, 1, 1, 0, -1, -1, -1, -1, -1, -1};
    LivePerformance live = Performance.live(predicted, feedback, List.of("healthy", "fabry"), Map.of("fabry", 0.8));
    assertThat(live.withFeedback()).isEqualTo(4);
    assertThat(live.coverage()).isCloseTo(0.4, within(1e-12));
    DriftReport.ClassPerformance fabry = live.classes().get(1);
    assertThat(fabry.precision().successes()).isEqualTo(3);
    assertThat(fabry.precision().trials()).isEqualTo(4);
    assertThat(fabry.recall().value()).isEqualTo(1.0);
    DriftReport.ClassPerformance healthy = live.classes().get(0);
    assertThat(healthy.recall().trials()).isEqualTo(1);
    assertThat(healthy.specificity().trials()).isEqualTo(3);
    assertThat(fabry.belowValidated()).isFalse();
  }

  @Test
  void liveRecallFarBelowTheValidatedBoundIsFlagged() {
    int[] predicted = new int[60];
    int[] feedback = new int[60];
    for (int i = 0; i < 30; i++) {
      feedback[i] = 1;
      predicted[i] = i < 9 ? 1 : 0;
    }
    LivePerformance live = Performance.live(predicted, feedback, List.of("healthy", "fabry"), Map.of("fabry", 0.8));
    assertThat(live.classes().get(1).recall().value()).isCloseTo(0.3, within(1e-12));
    assertThat(live.classes().get(1).belowValidated()).isTrue();
  }

  @Test
  void expectedPerformanceOfAPerfectlyCalibratedStreamFallsInItsBand() {
    int replications = 200;
    int recallCovered = 0;
    int precisionCovered = 0;
    double recallWidth = 0;
    for (int rep = 0; rep < replications; rep++) {
      SplittableRandom r = new SplittableRandom(1000 + rep);
      int n = 3000;
      double[][] proba = new double[n][];
      int[] predicted = new int[n];
      long tp = 0;
      long fn = 0;
      long called = 0;
      for (int i = 0; i < n; i++) {
        double p1 = 1 / (1 + Math.exp(-(-3 + 1.5 * DriftFixtures.gaussian(r))));
        proba[i] = new double[] {1 - p1, p1};
        predicted[i] = p1 >= 0.25 ? 1 : 0;
        boolean positive = r.nextDouble() < p1;
        if (predicted[i] == 1) {
          called++;
          tp += positive ? 1 : 0;
        } else {
          fn += positive ? 1 : 0;
        }
      }
      ExpectedPerformance e = Performance.expected(proba, predicted, 1, "fabry", false, Double.NaN);
      double recall = (double) tp / (tp + fn);
      double precision = (double) tp / called;
      recallCovered += recall >= e.recallLower() && recall <= e.recallUpper() ? 1 : 0;
      precisionCovered += precision >= e.precisionLower() && precision <= e.precisionUpper() ? 1 : 0;
      recallWidth += (e.recallUpper() - e.recallLower()) / replications;
    }
    // a 95% band: at least 90% of 200 replications inside (binomial sd 1.5%), and not a band so wide that all are
    assertThat(recallCovered).isBetween(180, 199);
    assertThat(precisionCovered).isBetween(180, 199);
    assertThat(recallWidth).isLessThan(0.2);
  }

  @Test
  void expectedPerformanceCountsProbabilityMass() {
    // two called positives with p 0.9 and 0.5, two others with 0.2 and 0.0: E[TP] = 1.4, E[FN] = 0.2
    double[][] p = {{0.1, 0.9}, {0.5, 0.5}, {0.8, 0.2}, {1.0, 0.0}};
    ExpectedPerformance e = Performance.expected(p, new int[] {1, 1, 0, 0}, 1, "fabry", false, 0.95);
    assertThat(e.recall()).isCloseTo(1.4 / 1.6, within(1e-12));
    assertThat(e.precision()).isCloseTo(0.7, within(1e-12));
    assertThat(e.expectedPositives()).isCloseTo(1.6, within(1e-12));
  }

  @Test
  void liveRecallIsTestedAgainstTheHeldOutRecallWithScipysFisherExactTest() {
    // held out: 94 of 100 Fabry cases found; live: 50 confirmed cases, 42 (0.84), 47 (0.94) or 20 (0.40) found
    double[][] expected = {{42, 0.048884893294311255}, {47, 0.6284875113892754}, {20, 9.69509086735541e-13}};
    for (double[] e : expected) {
      int found = (int) e[0];
      int[] predicted = new int[100];
      int[] feedback = new int[100];
      for (int i = 0; i < 50; i++) {
        feedback[i] = 1;
        predicted[i] = i < found ? 1 : 0;
      }
      LivePerformance live = Performance.live(predicted, feedback, List.of("healthy", "fabry"), Map.of("fabry", 0.7),
          new long[][] {{900, 900}, {94, 100}});
      DriftReport.ClassPerformance fabry = live.classes().get(1);
      assertThat(fabry.referenceRecall()).isEqualTo(0.94);
      // scipy.stats.fisher_exact([[found, 50 - found], [94, 6]], alternative='less').pvalue
      assertThat(fabry.dropP()).as("found %d", found).isCloseTo(e[1], within(1e-9 + 1e-6 * e[1]));
    }
    assertThat(Performance.live(new int[] {0}, new int[] {0}, List.of("healthy", "fabry"), Map.of()).classes().get(1)
        .dropP()).isNaN();
  }
}
