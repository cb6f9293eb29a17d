package io.medpipe.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.monitoring.drift.DriftFixtures.Cohort;
import io.medpipe.monitoring.drift.DriftFixtures.Shift;
import io.medpipe.monitoring.drift.DriftReport.FeatureDrift;
import io.medpipe.monitoring.drift.DriftReport.Verdict;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DriftMonitorTest {

  private static final DriftOptions NO_DOMAIN = DriftOptions.defaults().withDomainClassifier(false)
      .withBootstrapReplicates(50);
  private static final Cohort REFERENCE = DriftFixtures.cohort(2000, Shift.none(), 1);
  private static final ReferenceProfile PROFILE = DriftFixtures.profile(REFERENCE);

  private static DriftReport analyse(Cohort window, boolean raw) {
    return DriftMonitor.analyse(PROFILE, raw ? REFERENCE.rows() : null, window.window(), Map.of(), NO_DOMAIN);
  }

  private static List<String> drifted(DriftReport report) {
    return report.features().stream().filter(FeatureDrift::drifted).map(FeatureDrift::feature).toList();
  }

  private static FeatureDrift feature(DriftReport report, String name) {
    return report.features().stream().filter(f -> f.feature().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aWindowBelowTheMinimumSaysTooFewPredictionsAndTestsNothing() {
    DriftReport report = analyse(DriftFixtures.cohort(99, Shift.none().creatinine(2), 2), true);
    assertThat(report.tooFewPredictions()).isTrue();
    assertThat(report.message()).contains("too few predictions").contains("99").contains("100");
    assertThat(report.features()).isEmpty();
    assertThat(report.prevalence()).isNull();
    assertThat(DriftReport.fromJson(report.toJson())).isEqualTo(report);
  }

  @Test
  void noDriftIsFlaggedAtMostAtTheNominalRateOver200Windows() {
    int[] flaggedWindows = new int[2];
    int[] significantWindows = new int[2];
    for (int w = 0; w < 200; w++) {
      Cohort window = DriftFixtures.cohort(500, Shift.none(), 10_000 + w);
      for (int mode = 0; mode < 2; mode++) {
        DriftReport report = analyse(window, mode == 0);
        flaggedWindows[mode] += report.driftedFeatures() > 0 ? 1 : 0;
        significantWindows[mode] += report.features().stream().anyMatch(f -> f.distribution().adjustedP() < 0.05
            || f.missingness().adjustedP() < 0.05) ? 1 : 0;
      }
    }
    // Flagged (adjusted p < alpha AND effect above threshold): at most the nominal 5% of 200 windows.
    assertThat(flaggedWindows[0]).as("raw reference: windows flagged").isLessThanOrEqualTo(10);
    assertThat(flaggedWindows[1]).as("binned reference: windows flagged").isLessThanOrEqualTo(10);
    // Significance alone: BH under the complete null bounds P(any adjusted p < alpha) by alpha, so at most 10
    // expected; the windows share one reference sample and are counted with binomial noise, hence the 97.5%
    // quantile of Binomial(200, 0.05), 16. (Measured: 12 raw, 9 binned.)
    assertThat(significantWindows[0]).as("raw reference: windows with a significant test").isLessThanOrEqualTo(16);
    assertThat(significantWindows[1]).as("binned reference: windows with a significant test").isLessThanOrEqualTo(16);
  }

  @Test
  void aCreatinineAssayReading15PercentHigherIsDetectedOnThatLabOnly() {
    Cohort window = DriftFixtures.cohort(1000, Shift.none().creatinine(1.15), 3);
    for (boolean raw : new boolean[] {true, false}) {
      DriftReport report = analyse(window, raw);
      assertThat(drifted(report)).as("raw " + raw).containsExactly("creatinine");
      FeatureDrift creatinine = feature(report, "creatinine");
      assertThat(creatinine.distribution().test()).isEqualTo(raw ? "ks-exact" : "ks-binned");
      assertThat(creatinine.distribution().effectSize()).isEqualTo("wasserstein-normed");
      assertThat(creatinine.distribution().effect()).isGreaterThan(0.3);
      assertThat(creatinine.missingness().verdict()).isEqualTo(Verdict.STABLE);
    }
  }

  @Test
  void aLabOrderedLessOftenIsAMissingnessDrift() {
    DriftReport report = analyse(DriftFixtures.cohort(1000, Shift.none().lysoMissing(0.25), 4), true);
    assertThat(drifted(report)).containsExactly("lyso_gb3");
    FeatureDrift lyso = feature(report, "lyso_gb3");
    assertThat(lyso.missingness().verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(lyso.missingness().effectSize()).isEqualTo("cohen-h");
    assertThat(lyso.windowMissingRate()).isCloseTo(0.25, within(0.04));
    // the values that are there still come from the same distribution
    assertThat(lyso.distribution().verdict()).isEqualTo(Verdict.STABLE);
  }

  @Test
  void aChangeOfSiteFrequenciesIsACategoricalDrift() {
    DriftReport report = analyse(DriftFixtures.cohort(1000, Shift.none().sites(0.2, 0.3, 0.2, 0.3), 5), true);
    assertThat(drifted(report)).containsExactly("site");
    FeatureDrift site = feature(report, "site");
    assertThat(site.distribution().test()).isEqualTo("chi-square");
    assertThat(site.distribution().effectSize()).isEqualTo("jensen-shannon-base2");
    assertThat(site.distribution().effect()).isBetween(0.1, 1.0);
  }

  @Test
  void aPrevalenceRiseFromOneToThreePercentIsSeenWithoutLabels() {
    Cohort window = DriftFixtures.cohort(20_000, Shift.none().prevalence(0.03), 6);
    DriftReport report = DriftMonitor.analyse(PROFILE, REFERENCE.rows(), window.window(), Map.of(),
        NO_DOMAIN.withBootstrapReplicates(200));
    DriftReport.PrevalenceShift prevalence = report.prevalence();
    assertThat(prevalence.targetClass()).isEqualTo("fabry");
    assertThat(prevalence.trainingPrior()).isCloseTo(0.01, within(0.005));
    assertThat(prevalence.em()).isCloseTo(0.03, within(0.006));
    assertThat(prevalence.bbse()).isCloseTo(0.03, within(0.01));
    assertThat(prevalence.lower()).isGreaterThan(prevalence.trainingPrior());
    assertThat(prevalence.p()).isLessThan(1e-6);
    assertThat(prevalence.shifted()).isTrue();
    // and a window of the reference population is not a shift
    DriftReport same = DriftMonitor.analyse(PROFILE, REFERENCE.rows(),
        DriftFixtures.cohort(20_000, Shift.none(), 7).window(), Map.of(), NO_DOMAIN);
    assertThat(same.prevalence().shifted()).isFalse();
  }

  @Test
  void prevalenceOfSmallSamePopulationWindowsIsRarelyCalledShifted() {
    int shifted = 0;
    for (int w = 0; w < 100; w++) {
      DriftReport report = DriftMonitor.analyse(PROFILE, null, DriftFixtures.cohort(1000, Shift.none(), 500 + w)
          .window(), Map.of(), NO_DOMAIN);
      shifted += report.prevalence().shifted() ? 1 : 0;
    }
    // about 10 rare cases per window: the likelihood-ratio test keeps near its nominal 5% (measured 2 of 100; the
    // bootstrap interval alone had 8). Bound: the 97.5% quantile of Binomial(100, 0.05).
    assertThat(shifted).isLessThanOrEqualTo(10);
  }

  @Test
  void aFeatureMissingInEveryWindowRowIsAMissingnessDriftNotASilentGap() {
    Cohort window = DriftFixtures.cohort(500, Shift.none(), 8);
    for (double[] row : window.rows()) {
      row[7] = Double.NaN;
    }
    DriftReport report = analyse(window, true);
    FeatureDrift protein = feature(report, "protein_urine");
    assertThat(protein.windowMissing()).isEqualTo(500);
    assertThat(protein.distribution().verdict()).isEqualTo(Verdict.NOT_TESTED);
    assertThat(protein.distribution().note()).contains("fewer than 2 non-missing values in the window");
    assertThat(protein.missingness().verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(drifted(report)).containsExactly("protein_urine");
    assertThat(DriftReport.fromJson(report.toJson())).isEqualTo(report);
  }

  @Test
  void aFeatureMissingInTheWholeReferenceIsReportedNotTested() {
    Cohort reference = DriftFixtures.cohort(1000, Shift.none(), 9);
    for (double[] row : reference.rows()) {
      row[3] = Double.NaN;
    }
    ReferenceProfile profile = DriftFixtures.profile(reference);
    Cohort window = DriftFixtures.cohort(300, Shift.none(), 10);
    for (double[] row : window.rows()) {
      row[3] = Double.NaN;
    }
    for (double[][] rows : Arrays.asList(reference.rows(), null)) {
      DriftReport report = DriftMonitor.analyse(profile, rows, window.window(), Map.of(), NO_DOMAIN);
      FeatureDrift lyso = feature(report, "lyso_gb3");
      assertThat(lyso.distribution().verdict()).isEqualTo(Verdict.NOT_TESTED);
      assertThat(lyso.missingness().p()).isEqualTo(1.0);
      assertThat(lyso.drifted()).isFalse();
    }
  }

  @Test
  void constantFeaturesAreStableWhileConstantAndDriftWhenTheyMove() {
    Cohort reference = DriftFixtures.cohort(1000, Shift.none(), 11);
    Arrays.stream(reference.rows()).forEach(r -> r[2] = 13.0);
    ReferenceProfile profile = DriftFixtures.profile(reference);
    Cohort same = DriftFixtures.cohort(400, Shift.none(), 12);
    Arrays.stream(same.rows()).forEach(r -> r[2] = 13.0);
    Cohort moved = DriftFixtures.cohort(400, Shift.none(), 13);
    Arrays.stream(moved.rows()).forEach(r -> r[2] = 14.0);
    for (double[][] rows : Arrays.asList(reference.rows(), null)) {
      FeatureDrift stable = feature(DriftMonitor.analyse(profile, rows, same.window(), Map.of(), NO_DOMAIN),
          "hemoglobin");
      assertThat(stable.distribution().effect()).isZero();
      assertThat(stable.distribution().verdict()).isEqualTo(Verdict.STABLE);
      DriftReport report = DriftMonitor.analyse(profile, rows, moved.window(), Map.of(), NO_DOMAIN);
      FeatureDrift drifted = feature(report, "hemoglobin");
      assertThat(drifted.distribution().effect()).isInfinite();
      assertThat(drifted.distribution().verdict()).isEqualTo(Verdict.DRIFTED);
      assertThat(DriftReport.fromJson(report.toJson())).isEqualTo(report);
    }
  }

  @Test
  void aCategoryAbsentFromBothSidesIsDroppedAndAnUnseenCodeIsCounted() {
    Cohort reference = DriftFixtures.cohort(1000, Shift.none().sites(0.5, 0.3, 0.2, 0.0), 14);
    ReferenceProfile profile = DriftFixtures.profile(reference);
    assertThat(profile.features().get(6).categoryCounts().get(3)).isZero();
    Cohort window = DriftFixtures.cohort(400, Shift.none().sites(0.5, 0.3, 0.2, 0.0), 15);
    DriftReport report = DriftMonitor.analyse(profile, null, window.window(), Map.of(), NO_DOMAIN);
    FeatureDrift site = feature(report, "site");
    assertThat(site.distribution().p()).isBetween(0.0, 1.0);
    assertThat(site.distribution().verdict()).isEqualTo(Verdict.STABLE);
    assertThat(site.unseenRows()).isZero();
    for (int i = 0; i < 40; i++) {
      window.rows()[i][6] = i % 2 == 0 ? 7 : 2.5;
    }
    FeatureDrift unseen = feature(DriftMonitor.analyse(profile, null, window.window(), Map.of(), NO_DOMAIN), "site");
    assertThat(unseen.unseenRows()).isEqualTo(40);
    assertThat(unseen.unseenCodes()).isEqualTo(2);
    assertThat(unseen.distribution().verdict()).isEqualTo(Verdict.DRIFTED);
  }

  @Test
  void missingCategoricalAndBinaryValuesAreCountedAsMissingNotAsACategory() {
    Cohort window = DriftFixtures.cohort(500, Shift.none(), 16);
    for (int i = 0; i < 150; i++) {
      window.rows()[i][5] = Double.NaN;
      window.rows()[i][6] = Double.NaN;
    }
    DriftReport report = analyse(window, true);
    for (String name : List.of("neuropathic_pain", "site")) {
      FeatureDrift f = feature(report, name);
      assertThat(f.windowMissing()).isEqualTo(150);
      assertThat(f.unseenRows()).isZero();
      assertThat(f.missingness().verdict()).isEqualTo(Verdict.DRIFTED);
      assertThat(f.distribution().verdict()).isEqualTo(Verdict.STABLE);
    }
  }

  @Test
  void learnedBandsReplaceTheDefaultThresholds() {
    ReferenceProfile learned = ReferenceProfile.fromJson(PROFILE.withThresholds(new ReferenceProfile.LearnedThresholds(
        50, 0.99, 1, ReferenceBands.effects(DriftFixtures.features(), REFERENCE.rows(), 50, 0.99, 1), null))
        .toCanonicalJson());
    DriftReport report = DriftMonitor.analyse(learned, REFERENCE.rows(),
        DriftFixtures.cohort(1000, Shift.none().creatinine(1.15), 3).window(), Map.of(), NO_DOMAIN);
    FeatureDrift creatinine = feature(report, "creatinine");
    assertThat(creatinine.distribution().thresholdSource()).isEqualTo("learned");
    // a half-split of 2,000 reference rows varies by a few hundredths of a standard deviation
    assertThat(creatinine.distribution().threshold()).isBetween(0.02, 0.2);
    assertThat(drifted(report)).containsExactly("creatinine");
  }

  @Test
  void theDomainClassifierSeesTheShiftAgainstALearnedThreshold() {
    DriftOptions options = DriftOptions.defaults().withBootstrapReplicates(50);
    ReferenceProfile learned = ReferenceBands.learn(PROFILE, REFERENCE.rows(), options);
    assertThat(learned.thresholds().domainAuc()).isBetween(0.5, 0.6);
    DriftReport same = DriftMonitor.analyse(learned, REFERENCE.rows(),
        DriftFixtures.cohort(3000, Shift.none(), 17).window(), Map.of(), options);
    assertThat(same.multivariate().drifted()).isFalse();
    DriftReport shifted = DriftMonitor.analyse(learned, REFERENCE.rows(),
        DriftFixtures.cohort(3000, Shift.none().creatinine(1.15), 18).window(), Map.of(), options);
    assertThat(shifted.multivariate().drifted()).isTrue();
    assertThat(shifted.multivariate().thresholdSource()).isEqualTo("learned");
    assertThat(shifted.multivariate().topFeatures().get(0).feature()).isEqualTo("creatinine");
  }

  @Test
  void explanationDriftRanksTheLargestChangeFirst() {
    Cohort reference = DriftFixtures.cohort(500, Shift.none(), 19);
    double[][] shap = new double[500][8];
    for (double[] row : shap) {
      Arrays.fill(row, 0.1);
      row[1] = -0.4;
    }
    ReferenceProfile profile = ReferenceProfile.builder(DriftFixtures.features(), List.of("healthy", "fabry"))
        .rows(reference.rows()).truth(reference.truth()).predicted(reference.predicted())
        .probabilities(reference.probabilities()).shap(shap).build();
    Cohort w = DriftFixtures.cohort(200, Shift.none(), 20);
    double[][] windowShap = new double[200][8];
    for (double[] row : windowShap) {
      Arrays.fill(row, 0.1);
      row[1] = 0.1;
      row[3] = 0.35;
    }
    DriftReport report = DriftMonitor.analyse(profile, null,
        new Window(w.rows(), w.predicted(), w.probabilities(), windowShap, null), Map.of(), NO_DOMAIN);
    List<DriftReport.ShapShift> shifts = report.explanationDrift();
    assertThat(shifts.get(0).feature()).isEqualTo("creatinine");
    assertThat(shifts.get(0).absoluteChange()).isCloseTo(-0.3, within(1e-9));
    assertThat(shifts.get(0).relativeChange()).isCloseTo(-0.75, within(1e-9));
    assertThat(shifts.get(0).referenceRank()).isEqualTo(1);
    assertThat(shifts.get(1).feature()).isEqualTo("lyso_gb3");
    assertThat(shifts.get(1).windowRank()).isEqualTo(1);
  }

  @Test
  void liveAndExpectedPerformanceAreComparedWithTheValidatedBound() {
    Cohort window = DriftFixtures.cohort(20_000, Shift.none(), 21);
    int[] feedback = new int[window.truth().length];
    for (int i = 0; i < feedback.length; i++) {
      feedback[i] = i % 2 == 0 ? window.truth()[i] : -1;
    }
    DriftReport report = DriftMonitor.analyse(PROFILE, null,
        new Window(window.rows(), window.predicted(), window.probabilities(), null, feedback),
        Map.of("fabry", 0.3), NO_DOMAIN);
    assertThat(report.livePerformance().coverage()).isCloseTo(0.5, within(1e-9));
    DriftReport.ClassPerformance fabry = report.livePerformance().classes().get(1);
    assertThat(fabry.validatedRecallLower()).isEqualTo(0.3);
    assertThat(fabry.belowValidated()).isFalse();
    DriftReport.ExpectedPerformance expected = report.estimatedPerformance();
    assertThat(expected.recall()).isBetween(expected.recallLower(), expected.recallUpper());
    assertThat(expected.belowValidated()).isFalse();
    // the expected recall agrees with the realised recall of this calibrated stream
    long tp = 0;
    long positives = 0;
    for (int i = 0; i < feedback.length; i++) {
      if (window.truth()[i] == 1) {
        positives++;
        tp += window.predicted()[i] == 1 ? 1 : 0;
      }
    }
    assertThat(expected.recall()).isCloseTo((double) tp / positives, within(0.1));
  }

  @Test
  void answersWithoutAnAutomatedDecisionStayInTheWindowAndCountAsMissedCases() {
    Cohort window = DriftFixtures.cohort(4_000, Shift.none(), 23);
    int n = window.truth().length;
    int[] predicted = window.predicted().clone();
    int[] feedback = window.truth().clone();
    double[][] shap = new double[n][];
    long fabryUndecided = 0;
    long undecided = 0;
    for (int i = 0; i < n; i++) {
      if (i % 10 == 0) { // every tenth answer: too incomplete for an automated decision, so not explained either
        predicted[i] = -1;
        undecided++;
        fabryUndecided += window.truth()[i] == 1 ? 1 : 0;
      } else {
        shap[i] = new double[window.rows()[i].length];
        Arrays.fill(shap[i], 0.01);
      }
    }
    Cohort reference = DriftFixtures.cohort(500, Shift.none(), 19);
    double[][] referenceShap = new double[500][8];
    for (double[] row : referenceShap) {
      Arrays.fill(row, 0.01);
    }
    ReferenceProfile profile = ReferenceProfile.builder(DriftFixtures.features(), List.of("healthy", "fabry"))
        .rows(reference.rows()).truth(reference.truth()).predicted(reference.predicted())
        .probabilities(reference.probabilities()).shap(referenceShap).build();
    DriftReport report = DriftMonitor.analyse(profile, null,
        new Window(window.rows(), predicted, window.probabilities(), shap, feedback), Map.of(), NO_DOMAIN);

    assertThat(report.noAutomatedDecision()).isEqualTo(undecided);
    assertThat(report.windowRows()).isEqualTo(n);
    assertThat(report.tooFewPredictions()).isFalse();
    // live recall of Fabry: every confirmed case without a decision is a case the automation missed
    long tp = 0;
    long positives = 0;
    for (int i = 0; i < n; i++) {
      if (window.truth()[i] == 1) {
        positives++;
        tp += predicted[i] == 1 ? 1 : 0;
      }
    }
    assertThat(fabryUndecided).isPositive();
    DriftReport.ClassPerformance fabry = report.livePerformance().classes().get(1);
    assertThat(fabry.recall().trials()).isEqualTo(positives);
    assertThat(fabry.recall().successes()).isEqualTo(tp);
    // explanation drift is the mean over the explained answers, not diluted by the unexplained tenth
    assertThat(report.explanationDrift()).isNotEmpty()
        .allSatisfy(s -> assertThat(s.window()).isCloseTo(0.01, within(1e-12)));
  }

  @Test
  void badWindowsAreRefusedNamingTheField() {
    Cohort window = DriftFixtures.cohort(150, Shift.none(), 22);
    window.predicted()[3] = 5;
    assertThatThrownBy(() -> analyse(window, true)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window.predicted[3]");
    assertThatThrownBy(() -> new Window(new double[2][8], new int[1], new double[2][2], null, null))
        .hasMessageContaining("predicted");
    assertThatThrownBy(() -> DriftOptions.defaults().withMinimumWindow(1)).hasMessageContaining("minimumWindow");
  }

  @Test
  void theReportIsJsonWithEverySignal() {
    DriftReport report = analyse(DriftFixtures.cohort(800, Shift.none().creatinine(1.3), 23), true);
    String json = report.toJson();
    assertThat(json).contains("\"creatinine\"").contains("\"adjustedP\"").contains("\"prevalence\"")
        .contains("\"estimatedPerformance\"").contains(PROFILE.sha256());
    assertThat(DriftReport.fromJson(json)).isEqualTo(report);
    Map<String, Boolean> flags = report.features().stream()
        .collect(Collectors.toMap(FeatureDrift::feature, FeatureDrift::drifted));
    assertThat(flags).containsEntry("creatinine", true).containsEntry("age", false);
  }
}
