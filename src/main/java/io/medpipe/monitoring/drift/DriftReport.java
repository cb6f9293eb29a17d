package io.medpipe.monitoring.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.medpipe.dataset.FeatureType;
import java.util.List;

/**
 * Every monitoring signal of one window against a {@link ReferenceProfile}: data drift per feature, multivariate
 * drift, prevalence, estimated and live performance and explanation drift. Aggregates only, JSON-serialisable.
 *
 * <p>When the window holds fewer predictions than the minimum, {@code tooFewPredictions} is true, the message says
 * so and no signal is computed: a test on a handful of rows would only add noise to the alerts.
 *
 * @param windowRows           predictions in the window
 * @param minimumWindow        the minimum the options asked for
 * @param tooFewPredictions    true if nothing was tested because the window is smaller than the minimum
 * @param message              one sentence for people: what the run found, or why it tested nothing
 * @param alpha                significance level applied to Benjamini-Hochberg-adjusted p-values
 * @param features             one row per feature, in model order
 * @param driftedFeatures      features flagged drifted (distribution or missingness)
 * @param driftedShare         driftedFeatures / features
 * @param multivariate         the domain classifier's result, or null if it did not run
 * @param prevalence           the target class's prevalence estimated without labels
 * @param estimatedPerformance recall and precision of the target class expected without labels
 * @param livePerformance      per-class performance from clinician feedback, or null if no feedback was given
 * @param explanationDrift     mean |SHAP| changes, largest first; empty if either side has no SHAP values
 * @param profileChecksum      SHA-256 of the reference profile compared against
 */
public record DriftReport(long windowRows, int minimumWindow, boolean tooFewPredictions, String message,
                          double alpha, List<FeatureDrift> features, int driftedFeatures, double driftedShare,
                          DomainDrift multivariate, PrevalenceShift prevalence,
                          ExpectedPerformance estimatedPerformance, LivePerformance livePerformance,
                          List<ShapShift> explanationDrift, String profileChecksum, long noAutomatedDecision) {

  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public DriftReport {
    features = features == null ? List.of() : List.copyOf(features);
    explanationDrift = explanationDrift == null ? List.of() : List.copyOf(explanationDrift);
  }

  /** The report as indented JSON (NaN and infinite values are written as strings). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("drift report cannot be written as JSON", e);
    }
  }

  /** Reads a report written by {@link #toJson()}. */
  public static DriftReport fromJson(String json) {
    try {
      return JSON.readValue(json, DriftReport.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a drift report: " + e.getOriginalMessage(), e);
    }
  }

  /** What one signal concluded. */
  public enum Verdict {
    /** Adjusted p below alpha and effect size above its threshold. */
    DRIFTED,
    /** Tested, and either not significant or too small an effect to matter. */
    STABLE,
    /** Could not be tested; the note says why. */
    NOT_TESTED
  }

  /**
   * One test of one feature, with its effect size.
   *
   * @param test       the test that produced p (ks-exact, ks-asymptotic, ks-binned, chi-square, fisher-exact)
   * @param statistic  its statistic (D, chi-square; Fisher: the odds ratio)
   * @param p          raw p-value, NaN if not tested
   * @param adjustedP  Benjamini-Hochberg-adjusted p-value across all tests of the run
   * @param effectSize what the effect is (wasserstein-normed, jensen-shannon-base2, cohen-h)
   * @param effect     the effect size
   * @param threshold  the effect a drift must exceed
   * @param thresholdSource "learned" (reference half-splits) or "default" (options)
   * @param verdict    the conclusion
   * @param note       why not tested, or a caveat; null if none
   */
  public record Signal(String test, double statistic, double p, double adjustedP, String effectSize, double effect,
                       double threshold, String thresholdSource, Verdict verdict, String note) {
  }

  /**
   * Data drift of one feature.
   *
   * @param feature               the feature's name
   * @param type                  numeric, binary or categorical
   * @param windowMissing         window rows where it is missing
   * @param referenceMissingRate  share missing in the reference
   * @param windowMissingRate     share missing in the window
   * @param distribution          the test of the non-missing values' distribution
   * @param missingness           the test of the missing rate
   * @param unseenRows            window rows whose value is no known category (binary, categorical)
   * @param unseenCodes           distinct such values
   * @param drifted               distribution or missingness drifted
   */
  public record FeatureDrift(String feature, FeatureType type, long windowMissing, double referenceMissingRate,
                             double windowMissingRate, Signal distribution, Signal missingness, long unseenRows,
                             int unseenCodes, boolean drifted) {
  }

  /**
   * Multivariate drift: can a classifier tell window rows from reference rows?
   *
   * @param auc             cross-validated ROC-AUC (0.5: indistinguishable)
   * @param threshold       the AUC a drift must exceed
   * @param thresholdSource "learned" (reference-against-reference splits) or "default"
   * @param rowsPerSide     rows drawn from each side (the subsampling rule caps it)
   * @param folds           stratified cross-validation folds
   * @param topFeatures     the features the classifier relied on most, with their share of importance
   * @param drifted         auc above threshold
   * @param note            caveat, or null
   */
  public record DomainDrift(double auc, double threshold, String thresholdSource, int rowsPerSide, int folds,
                            List<FeatureImportance> topFeatures, boolean drifted, String note) {

    public DomainDrift {
      topFeatures = List.copyOf(topFeatures);
    }
  }

  /** A feature's share of the domain classifier's impurity importance. */
  public record FeatureImportance(String feature, double share) {
  }

  /**
   * The target class's prevalence in the window, estimated without labels.
   *
   * @param targetClass    the class (label)
   * @param trainingPrior  its share in the training prior, which the probabilities are calibrated to
   * @param em             EM estimate (Saerens, Latinne and Decaestecker 2002)
   * @param lower          bootstrap percentile interval of the EM estimate, lower end
   * @param upper          upper end
   * @param level          the interval's confidence level
   * @param bbse           black-box shift estimate (Lipton, Wang and Smola 2018) from the reference confusion matrix,
   *                       NaN if the matrix is singular
   * @param bbseCondition  1-norm condition number of P(predicted | true): large means BBSE is unreliable
   * @param bbseIllConditioned condition above {@value PriorShift#ILL_CONDITIONED}
   * @param ratio          em / trainingPrior
   * @param p              likelihood-ratio test of "the prior is the training prior" (chi-square, k - 1 df)
   * @param shifted        p below alpha and the ratio passes the options' factor
   * @param emIterations   EM iterations of the point estimate
   */
  public record PrevalenceShift(String targetClass, double trainingPrior, double em, double lower, double upper,
                                double level, double bbse, double bbseCondition, boolean bbseIllConditioned,
                                double ratio, double p, boolean shifted, int emIterations) {
  }

  /**
   * Expected recall and precision of the target class at the served decision, from prior-adjusted calibrated
   * probabilities (confidence-based performance estimation), with a normal band from the Poisson-binomial variance.
   *
   * @param targetClass          the class
   * @param predictedPositives   window rows the decision assigned to it
   * @param expectedPositives    expected number of rows truly of it (sum of its probability)
   * @param recall               expected recall
   * @param recallLower          band, lower end
   * @param recallUpper          band, upper end
   * @param precision            expected precision
   * @param precisionLower       band, lower end
   * @param precisionUpper       band, upper end
   * @param priorAdjusted        probabilities were adjusted to the EM prevalence first
   * @param validatedRecallLower the lower bound the version was validated with, NaN if not given
   * @param belowValidated       the band's upper end is below that bound
   */
  public record ExpectedPerformance(String targetClass, long predictedPositives, double expectedPositives,
                                    double recall, double recallLower, double recallUpper, double precision,
                                    double precisionLower, double precisionUpper, boolean priorAdjusted,
                                    double validatedRecallLower, boolean belowValidated) {
  }

  /**
   * Performance from clinician feedback. A prediction without feedback is left out, never counted as a negative.
   *
   * @param predictions   window predictions
   * @param withFeedback  of them, with a clinician's label
   * @param coverage      withFeedback / predictions
   * @param classes       per class
   */
  public record LivePerformance(long predictions, long withFeedback, double coverage, List<ClassPerformance> classes) {

    public LivePerformance {
      classes = List.copyOf(classes);
    }
  }

  /**
   * One class's live figures with 95% Wilson score intervals.
   *
   * @param label                the class
   * @param recall               TP / (TP + FN)
   * @param precision            TP / (TP + FP)
   * @param specificity          TN / (TN + FP)
   * @param validatedRecallLower lower recall bound the version was validated with, NaN if none
   * @param belowValidated       recall's upper Wilson bound is below the validated bound
   * @param referenceRecall      the version's recall of this class on its held-out rows (the reference profile's
   *                             confusion matrix at the served decision), NaN if unknown
   * @param dropP                one-sided Fisher exact p-value of "live recall is not below the held-out recall"
   *                             (small: the model finds fewer of these cases than it did), NaN if untestable
   */
  public record ClassPerformance(String label, Rate recall, Rate precision, Rate specificity,
                                 double validatedRecallLower, boolean belowValidated, double referenceRecall,
                                 double dropP) {
  }

  /**
   * A proportion with its Wilson interval.
   *
   * @param successes numerator
   * @param trials    denominator (0: undefined, all values NaN)
   * @param value     successes / trials
   * @param lower     95% Wilson lower bound
   * @param upper     95% Wilson upper bound
   */
  public record Rate(long successes, long trials, double value, double lower, double upper) {
  }

  /**
   * Change of one feature's mean |SHAP| against the reference.
   *
   * @param feature        the feature
   * @param reference      mean |SHAP| on the reference
   * @param window         mean |SHAP| on the window
   * @param absoluteChange window - reference
   * @param relativeChange absoluteChange / reference (NaN if the reference is 0)
   * @param referenceRank  1 = most important on the reference
   * @param windowRank     1 = most important on the window
   */
  public record ShapShift(String feature, double reference, double window, double absoluteChange,
                          double relativeChange, int referenceRank, int windowRank) {
  }
}
