package io.medpipe.monitoring.drift;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureType;
import io.medpipe.monitoring.drift.DriftReport.DomainDrift;
import io.medpipe.monitoring.drift.DriftReport.ExpectedPerformance;
import io.medpipe.monitoring.drift.DriftReport.FeatureDrift;
import io.medpipe.monitoring.drift.DriftReport.FeatureImportance;
import io.medpipe.monitoring.drift.DriftReport.LivePerformance;
import io.medpipe.monitoring.drift.DriftReport.PrevalenceShift;
import io.medpipe.monitoring.drift.DriftReport.ShapShift;
import io.medpipe.monitoring.drift.DriftReport.Signal;
import io.medpipe.monitoring.drift.DriftReport.Verdict;
import io.medpipe.monitoring.drift.ReferenceProfile.FeatureBand;
import io.medpipe.monitoring.drift.ReferenceProfile.FeatureProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Computes every monitoring signal of a window of predictions against a model version's {@link ReferenceProfile}
 * and gathers them in a {@link DriftReport}. Pure computation: no I/O, no state, the same inputs and seed give the
 * same report.
 *
 * <p>A feature is flagged as drifted only when a test's Benjamini-Hochberg-adjusted p-value (one family: the
 * distribution and missingness tests of all features) is below alpha <em>and</em> its effect size exceeds the
 * threshold: the band learned on the reference where the profile has one, otherwise the default of the options.
 * The p-value says a difference is real, the effect size that it is large enough to matter; with 100,000
 * predictions a p-value alone would flag differences no clinician would care about.
 *
 * <p>See docs/monitoring.md for the statistics and their references.
 */
public final class DriftMonitor {

  private static final int TOP_DOMAIN_FEATURES = 5;

  private DriftMonitor() {
  }

  /**
   * @param profile        the served version's reference profile
   * @param referenceRows  the raw reference rows the profile was built from, or null: then numeric features are
   *                       tested from the profile's bins and the domain classifier does not run
   * @param window         the predictions to check
   * @param validatedRecallLower per class label, the lower recall bound the version was validated with (may be empty)
   * @param options        how to test
   */
  public static DriftReport analyse(ReferenceProfile profile, double[][] referenceRows, Window window,
                                    Map<String, Double> validatedRecallLower, DriftOptions options) {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(options, "options");
    Map<String, Double> bounds = validatedRecallLower == null ? Map.of() : validatedRecallLower;
    List<Feature> features = profile.featureList();
    int p = features.size();
    int k = profile.classes().size();
    checkShapes(window, p, k, "window");
    if (referenceRows != null) {
      for (int i = 0; i < referenceRows.length; i++) {
        if (referenceRows[i].length != p) {
          throw new IllegalArgumentException("referenceRows[" + i + "] has " + referenceRows[i].length
              + " values, expected " + p);
        }
      }
    }
    String checksum = profile.sha256();
    int n = window.size();
    if (n < options.minimumWindow()) {
      return new DriftReport(n, options.minimumWindow(), true, "too few predictions: " + n
          + " in the window, at least " + options.minimumWindow() + " are needed before anything is tested",
          options.alpha(), List.of(), 0, 0, null, null, null, null, List.of(), checksum, window.undecided());
    }

    // Per-feature tests, then one Benjamini-Hochberg family over all of them.
    FeatureTests.Result[] results = new FeatureTests.Result[p];
    double[] column = new double[n];
    double[] referenceColumn = referenceRows == null ? null : new double[referenceRows.length];
    for (int f = 0; f < p; f++) {
      for (int i = 0; i < n; i++) {
        column[i] = window.rows()[i][f];
      }
      if (referenceRows != null) {
        for (int i = 0; i < referenceRows.length; i++) {
          referenceColumn[i] = referenceRows[i][f];
        }
      }
      results[f] = FeatureTests.run(profile.features().get(f), referenceColumn, column);
    }
    double[] raw = new double[2 * p];
    for (int f = 0; f < p; f++) {
      raw[2 * f] = pOf(results[f].distribution());
      raw[2 * f + 1] = pOf(results[f].missingness());
    }
    double[] adjusted = BenjaminiHochberg.adjust(raw);
    List<FeatureDrift> rows = new ArrayList<>(p);
    int drifted = 0;
    for (int f = 0; f < p; f++) {
      FeatureProfile fp = profile.features().get(f);
      FeatureBand band = options.useLearnedBands() && profile.thresholds() != null
          ? profile.thresholds().features().get(fp.feature().name()) : null;
      double distributionDefault = fp.feature().type() == FeatureType.NUMERIC
          ? options.wassersteinThreshold() : options.jensenShannonThreshold();
      Signal distribution = signal(results[f].distribution(), adjusted[2 * f], options.alpha(),
          band == null ? Double.NaN : band.distribution(), distributionDefault);
      Signal missingness = signal(results[f].missingness(), adjusted[2 * f + 1], options.alpha(),
          band == null ? Double.NaN : band.missingness(), options.cohenHThreshold());
      boolean isDrifted = distribution.verdict() == Verdict.DRIFTED || missingness.verdict() == Verdict.DRIFTED;
      if (isDrifted) {
        drifted++;
      }
      rows.add(new FeatureDrift(fp.feature().name(), fp.feature().type(), results[f].windowMissing(),
          fp.missingRate(), results[f].windowMissingRate(), distribution, missingness, results[f].unseenRows(),
          results[f].unseenCodes(), isDrifted));
    }

    DomainDrift domain = null;
    if (options.domainClassifier() && referenceRows != null) {
      domain = domain(profile, referenceRows, window.rows(), features, options);
    }

    int target = options.targetClass() >= 0 ? options.targetClass() : rarest(profile);
    if (target >= k) {
      throw new IllegalArgumentException("targetClass " + target + " is not a class index in [0, " + k + ")");
    }
    double[] trainingPrior = profile.trainingPriorArray();
    PrevalenceShift prevalence = null;
    double[][] adjustedProbabilities = window.probabilities();
    boolean priorAdjusted = false;
    if (trainingPrior[target] > 0) {
      PriorShift.Em em = PriorShift.em(window.probabilities(), trainingPrior);
      double[] interval = PriorShift.bootstrap(window.probabilities(), trainingPrior, em.prior(), target,
          options.bootstrapReplicates(), options.intervalLevel(), options.seed());
      PriorShift.Bbse bbse = PriorShift.bbse(profile.confusionMatrix(), window.predicted());
      double ratio = em.prior()[target] / trainingPrior[target];
      double lrP = PriorShift.likelihoodRatioP(window.probabilities(), trainingPrior, em.prior());
      boolean large = ratio >= options.prevalenceFactor() || ratio <= 1 / options.prevalenceFactor();
      prevalence = new PrevalenceShift(profile.classes().get(target), trainingPrior[target], em.prior()[target],
          interval[0], interval[1], options.intervalLevel(), bbse.prior()[target], bbse.condition(),
          !(bbse.condition() <= PriorShift.ILL_CONDITIONED), ratio, lrP, lrP < options.alpha() && large,
          em.iterations());
      adjustedProbabilities = PriorShift.adjust(window.probabilities(), trainingPrior, em.prior());
      priorAdjusted = true;
    }
    String targetLabel = profile.classes().get(target);
    ExpectedPerformance expected = Performance.expected(adjustedProbabilities, window.predicted(), target,
        targetLabel, priorAdjusted, bounds.getOrDefault(targetLabel, Double.NaN));
    LivePerformance live = window.feedback() == null ? null
        : Performance.live(window.predicted(), window.feedback(), profile.classes(), bounds,
            referenceCases(profile.confusionMatrix()));
    List<ShapShift> shap = explanationDrift(profile, window, features);

    String message = drifted + " of " + p + " features drifted"
        + (domain != null && domain.drifted() ? "; the domain classifier tells the window from the reference" : "")
        + (prevalence != null && prevalence.shifted() ? "; the prevalence of " + targetLabel + " shifted" : "")
        + (expected.belowValidated() ? "; expected recall of " + targetLabel + " is below its validated bound" : "")
        + (live != null && live.classes().stream().anyMatch(DriftReport.ClassPerformance::belowValidated)
            ? "; live recall is below a validated bound" : "");
    return new DriftReport(n, options.minimumWindow(), false, message, options.alpha(), rows, drifted,
        p == 0 ? 0 : (double) drifted / p, domain, prevalence, expected, live, shap, checksum, window.undecided());
  }

  /** Each class's {found, cases} on the held-out rows, from the profile's confusion matrix {@code [predicted][true]}. */
  static long[][] referenceCases(long[][] confusion) {
    int k = confusion.length;
    long[][] found = new long[k][2];
    for (int c = 0; c < k; c++) {
      for (long[] row : confusion) {
        found[c][1] += row[c];
      }
      found[c][0] = confusion[c][c];
    }
    return found;
  }

  private static void checkShapes(Window window, int p, int k, String name) {
    for (int i = 0; i < window.size(); i++) {
      if (window.rows()[i].length != p) {
        throw new IllegalArgumentException(name + ".rows[" + i + "] has " + window.rows()[i].length
            + " values, expected " + p);
      }
      if (window.probabilities()[i].length != k) {
        throw new IllegalArgumentException(name + ".probabilities[" + i + "] has "
            + window.probabilities()[i].length + " values, expected " + k);
      }
      if (window.predicted()[i] < -1 || window.predicted()[i] >= k) {
        throw new IllegalArgumentException(name + ".predicted[" + i + "] is neither a class index in [0, " + k
            + ") nor -1 (no automated decision): " + window.predicted()[i]);
      }
      for (double v : window.probabilities()[i]) {
        if (!(v >= 0 && v <= 1)) {
          throw new IllegalArgumentException(name + ".probabilities[" + i + "] has a value outside [0, 1]: " + v);
        }
      }
      if (window.shap() != null && window.shap()[i] != null && window.shap()[i].length != p) {
        throw new IllegalArgumentException(name + ".shap[" + i + "] has " + window.shap()[i].length
            + " values, expected " + p);
      }
    }
  }

  private static double pOf(FeatureTests.Outcome outcome) {
    return outcome.tested() == null ? Double.NaN : outcome.tested().p();
  }

  private static Signal signal(FeatureTests.Outcome outcome, double adjustedP, double alpha, double learned,
                               double fallback) {
    boolean useLearned = !Double.isNaN(learned);
    double threshold = useLearned ? learned : fallback;
    String source = useLearned ? "learned" : "default";
    if (outcome.tested() == null) {
      return new Signal("none", Double.NaN, Double.NaN, Double.NaN, outcome.effectSize(), outcome.effect(),
          threshold, source, Verdict.NOT_TESTED, outcome.note());
    }
    boolean drifted = adjustedP < alpha && outcome.effect() > threshold;
    return new Signal(outcome.tested().test(), outcome.tested().statistic(), outcome.tested().p(), adjustedP,
        outcome.effectSize(), outcome.effect(), threshold, source, drifted ? Verdict.DRIFTED : Verdict.STABLE,
        outcome.note());
  }

  private static DomainDrift domain(ReferenceProfile profile, double[][] referenceRows, double[][] windowRows,
                                    List<Feature> features, DriftOptions options) {
    int perSide = Math.min(Math.min(referenceRows.length, windowRows.length), options.domainRowsPerSide());
    if (perSide < options.domainFolds() * 2) {
      return new DomainDrift(Double.NaN, Double.NaN, "none", perSide, options.domainFolds(), List.of(), false,
          "too few rows for the domain classifier");
    }
    String[] names = features.stream().map(Feature::name).toArray(String[]::new);
    DomainClassifier.Result result = DomainClassifier.run(referenceRows, windowRows, names,
        options.domainSettings());
    Double learned = options.useLearnedBands() && profile.thresholds() != null
        ? profile.thresholds().domainAuc() : null;
    double threshold = learned != null ? learned : options.domainAucThreshold();
    List<FeatureImportance> top = IntStream.range(0, names.length).boxed()
        .sorted(Comparator.comparingDouble(j -> -result.importanceShare()[j])).limit(TOP_DOMAIN_FEATURES)
        .map(j -> new FeatureImportance(names[j], result.importanceShare()[j])).toList();
    String note = learned != null && result.rowsPerSide() < options.domainRowsPerSide()
        ? "fewer rows per side than the threshold was learned with: the AUC is noisier" : null;
    return new DomainDrift(result.auc(), threshold, learned != null ? "learned" : "default", result.rowsPerSide(),
        options.domainFolds(), top, result.auc() > threshold, note);
  }

  /** The class with the smallest reference count that occurs at all. */
  private static int rarest(ReferenceProfile profile) {
    int best = 0;
    for (int c = 1; c < profile.classes().size(); c++) {
      long count = profile.classCounts().get(c);
      if (count > 0 && (profile.classCounts().get(best) == 0 || count < profile.classCounts().get(best))) {
        best = c;
      }
    }
    return best;
  }

  private static List<ShapShift> explanationDrift(ReferenceProfile profile, Window window, List<Feature> features) {
    if (window.shap() == null || profile.meanAbsShap().isEmpty()) {
      return List.of();
    }
    int p = features.size();
    double[] current = new double[p];
    // the mean over the explained predictions only: an answer without explanation (explain=false, or no automated
    // decision) says nothing about what drives the model, and counting it as zero would read as a shift
    long explained = Arrays.stream(window.shap()).filter(Objects::nonNull).count();
    if (explained == 0) {
      return List.of();
    }
    for (double[] row : window.shap()) {
      if (row != null) {
        for (int f = 0; f < p; f++) {
          current[f] += Math.abs(row[f]) / explained;
        }
      }
    }
    double[] reference = profile.meanAbsShap().stream().mapToDouble(Double::doubleValue).toArray();
    int[] referenceRank = ranks(reference);
    int[] windowRank = ranks(current);
    List<ShapShift> shifts = new ArrayList<>(p);
    for (int f = 0; f < p; f++) {
      double change = current[f] - reference[f];
      shifts.add(new ShapShift(features.get(f).name(), reference[f], current[f], change,
          reference[f] > 0 ? change / reference[f] : Double.NaN, referenceRank[f], windowRank[f]));
    }
    shifts.sort(Comparator.comparingDouble((ShapShift s) -> -Math.abs(s.absoluteChange()))
        .thenComparing(ShapShift::feature));
    return shifts;
  }

  /** Rank 1 = largest value. */
  private static int[] ranks(double[] values) {
    Integer[] order = IntStream.range(0, values.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -values[i]).thenComparingInt(i -> i))
        .toArray(Integer[]::new);
    int[] rank = new int[values.length];
    for (int r = 0; r < order.length; r++) {
      rank[order[r]] = r + 1;
    }
    return rank;
  }
}
