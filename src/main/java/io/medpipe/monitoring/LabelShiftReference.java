package io.medpipe.monitoring;

import io.medpipe.monitoring.drift.DriftMonitor;
import io.medpipe.monitoring.drift.DriftOptions;
import io.medpipe.monitoring.drift.DriftReport;
import io.medpipe.monitoring.drift.ReferenceProfile;
import io.medpipe.monitoring.drift.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The reference as it would look if only the prior had changed: the held-out rows resampled per class to the
 * prevalence the monitor estimated (the target class at EM's estimate, every other class keeping its share of the
 * rest), and the window's inputs tested against it again.
 *
 * <p>Why: under label shift p(x | y) stays and p(y) moves, so p(x) moves too, in exactly the inputs that go with the
 * disease. Against the plain reference a tripled Fabry prevalence flagged 3 of 19 features and the domain classifier
 * (RecalibrationLoopIT, 5,000 reference rows): signs of drift that the prior shift itself explains and that must not
 * turn a recalibration into a retraining. Against this reference only what the new prior does not explain is drift.
 * The drift policy decides data and multivariate drift on this report ({@link DriftPolicy#decide(DriftReport,
 * DriftReport)}), and the prevalence shift's {@code otherDrift} with them; the report's per-feature figures and the
 * figure meters stay the plain test's, and the run's report shows both (labelShiftCheck).
 */
final class LabelShiftReference {

  private LabelShiftReference() {}

  /**
   * Whether the check applies: the prevalence shifted and some input drift was seen, which the new prior may explain.
   */
  static boolean needed(DriftReport report) {
    return !report.tooFewPredictions() && report.prevalence() != null && report.prevalence().shifted()
        && (report.driftedFeatures() > 0 || (report.multivariate() != null && report.multivariate().drifted()));
  }

  /**
   * The window analysed against the reference resampled to the report's estimated prior.
   *
   * @param profile   the version's profile (its thresholds are kept)
   * @param reference the held-out rows the profile was built from
   * @param truth     their true classes, indexed like the profile's classes
   */
  static DriftReport analyse(ReferenceProfile profile, double[][] reference, int[] truth, Window window,
                             DriftReport report, Map<String, Double> validatedRecallLower, DriftOptions options) {
    int k = profile.classes().size();
    int target = profile.classes().indexOf(report.prevalence().targetClass());
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < truth.length; i++) {
      byClass.get(truth[i]).add(i);
    }
    int n = reference.length;
    double from = (double) byClass.get(target).size() / n;
    double to = report.prevalence().em();
    SplittableRandom random = new SplittableRandom(options.seed());
    List<Integer> rows = new ArrayList<>(n);
    for (int c = 0; c < k; c++) {
      List<Integer> members = byClass.get(c);
      if (members.isEmpty()) {
        continue;
      }
      double share = c == target ? to : (double) members.size() / n * (1 - to) / (1 - from);
      int wanted = (int) Math.round(n * share);
      // shuffle, then take without replacement; beyond the class's rows, draw with replacement
      List<Integer> shuffled = new ArrayList<>(members);
      for (int i = shuffled.size() - 1; i > 0; i--) {
        java.util.Collections.swap(shuffled, i, random.nextInt(i + 1));
      }
      for (int j = 0; j < wanted; j++) {
        rows.add(j < shuffled.size() ? shuffled.get(j) : members.get(random.nextInt(members.size())));
      }
    }
    double[][] x = new double[rows.size()][];
    int[] y = new int[rows.size()];
    double[][] oneHot = new double[rows.size()][k];
    for (int i = 0; i < rows.size(); i++) {
      x[i] = reference[rows.get(i)];
      y[i] = truth[rows.get(i)];
      oneHot[i][y[i]] = 1;
    }
    // only the inputs' part of the profile is rebuilt; the probabilities, confusion matrix and learned thresholds
    // stay the version's own
    ReferenceProfile inputs = ReferenceProfile.builder(profile.featureList(), profile.classes()).rows(x).truth(y)
        .predicted(y).probabilities(oneHot).build();
    ReferenceProfile shifted = new ReferenceProfile(profile.formatVersion(), inputs.rows(), profile.classes(),
        inputs.classCounts(), profile.trainingPrior(), inputs.features(), profile.probabilities(),
        profile.confusion(), profile.meanAbsShap(), profile.thresholds());
    return DriftMonitor.analyse(shifted, x, window, validatedRecallLower, options);
  }
}
