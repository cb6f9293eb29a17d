package io.medpipe.training.evaluation;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import io.medpipe.training.model.ClassWeighting;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.TrainingOptions;
import io.medpipe.training.resampling.Resampling;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The miss-cost cap every cost-matrix decision goes through ({@link #capMissCost}), and the earlier candidate search
 * over Smile's models with its rare-class policy, kept so that its benchmark and golden figures stay reproducible;
 * the pipeline's search is {@link CandidateSearch}.
 *
 * <p>The policy, {@link #POLICY}: among the candidates whose pooled out-of-fold specificity for the rare class reaches
 * {@code requiredSpecificity}, the highest rare-class recall; ties (equal recall) go to the higher rare-class AUPRC, then
 * to the earlier candidate. If no candidate reaches the specificity, the one with the highest specificity is taken and
 * the selection says so. Recall first because a missed rare diagnosis costs most; the specificity floor keeps the
 * false alarms a clinic can absorb.
 */
public final class ModelSelection {

  public static final String POLICY = "highest rare-class recall among candidates with rare-class specificity >= "
      + "required (pooled out-of-fold, decided on the probabilities the model will serve: cross-fitted calibrated "
      + "ones when calibration is on; a candidate's rare-miss cost is lowered, never raised, to the largest that "
      + "keeps that specificity), ties by rare-class AUPRC, then candidate order";

  /** One candidate's cross-validated rare-class figures. */
  public record Candidate(String label, TrainingOptions options, double rareRecall, double rareSpecificity,
                          double rareAuprc, double macroF1, double balancedAccuracy, double rareBrier,
                          double seconds, String note) {
  }

  /**
   * @param chosen      the selected candidate's options
   * @param reason      why it was chosen, in words
   * @param calibration how the candidates' out-of-fold probabilities were recalibrated before deciding
   * @param outOfFold   the chosen candidate's pooled out-of-fold probabilities as its fold models made them
   *                    (uncalibrated), one row per training row: data the refitted model's calibration can be fitted
   *                    on, since no fold model trained on the row it predicted and the prevalence is the natural one
   */
  public record Selection(TrainingOptions chosen, String reason, List<Candidate> candidates, int folds,
                          ProbabilityCalibration.Method calibration, double[][] outOfFold) {

    /** The selection as plain names and values, for provenance and the model card. */
    public Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("policy", POLICY);
      map.put("reason", reason);
      map.put("folds", folds);
      map.put("calibration",
          calibration.name().toLowerCase(java.util.Locale.ROOT) + (calibration == ProbabilityCalibration.Method.NONE
              ? "" : ", cross-fitted on the other folds' out-of-fold predictions"));
      map.put("chosen", chosen.label());
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Candidate c : candidates) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", c.label());
        row.put("rareRecall", c.rareRecall());
        row.put("rareSpecificity", c.rareSpecificity());
        row.put("rareAuprc", c.rareAuprc());
        row.put("macroF1", c.macroF1());
        row.put("balancedAccuracy", c.balancedAccuracy());
        row.put("rareBrier", c.rareBrier());
        row.put("seconds", c.seconds());
        if (c.note() != null) {
          row.put("note", c.note());
        }
        rows.add(row);
      }
      map.put("candidates", rows);
      return map;
    }
  }

  /**
   * Leaves per tree of the SMOTE forests. SMOTE fills every class up to the majority, so each tree grows on ~3x the
   * rows of a balanced-bootstrap tree and reaches deeper; TreeSHAP's cost grows with leaves x depth^2, and at 256
   * leaves such a forest explained a row in 17 ms against 3 ms for the class-weighted one, enough to break the staging
   * p99 latency limit on a loaded 2-core machine. At 64 leaves: 7 ms.
   */
  public static final int SMOTE_MAX_NODES = 64;

  private ModelSelection() {
  }

  /**
   * The default candidates for a rare class: class weights, SMOTE(-NC) and undersampling for the forest, each with
   * and without threshold moving by {@code costs}, and boosting with the cost matrix (boosting with SMOTE triples the rows and the time on a 5,000-patient cohort).
   * On calibrated probabilities the most probable class rarely names a rare class, so each resampling has a
   * cost-matrix twin (undersampling got its own when the pipeline began to calibrate).
   */
  public static List<TrainingOptions> defaultCandidates(int trees, long seed, CostMatrix costs) {
    TrainingOptions rf = TrainingOptions.defaults(seed).withTrees(trees);
    TrainingOptions plain = rf.withClassWeighting(ClassWeighting.NONE);
    TrainingOptions smote = plain.withResampling(Resampling.SMOTE).withMaxNodes(SMOTE_MAX_NODES);
    return List.of(
        rf,
        rf.withCosts(costs),
        smote,
        smote.withCosts(costs),
        plain.withResampling(Resampling.UNDERSAMPLE),
        plain.withResampling(Resampling.UNDERSAMPLE).withCosts(costs),
        TrainingOptions.boosting(trees, seed).withCosts(costs));
  }

  /** {@link #select(FeatureTable, int, List, int, long, double, ProbabilityCalibration.Method)} without calibration. */
  public static Selection select(FeatureTable train, int rareClass, List<TrainingOptions> candidates, int k,
                                 long seed, double requiredSpecificity) {
    return select(train, rareClass, candidates, k, seed, requiredSpecificity, ProbabilityCalibration.Method.NONE);
  }

  /**
   * Cross-validates every candidate and picks by {@link #POLICY}. With a calibration method, each candidate's
   * out-of-fold probabilities are recalibrated by cross-fitting ({@link CrossValidation#recalibrate}) before its
   * decisions and figures are computed, so the search judges the decisions a calibrated model would serve.
   */
  public static Selection select(FeatureTable train, int rareClass, List<TrainingOptions> candidates, int k,
                                 long seed, double requiredSpecificity, ProbabilityCalibration.Method calibration) {
    Objects.requireNonNull(candidates, "candidates");
    Objects.requireNonNull(calibration, "calibration");
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidate configurations");
    }
    List<Candidate> results = new ArrayList<>();
    List<double[][]> outOfFold = new ArrayList<>();
    int folds = k;
    for (TrainingOptions options : candidates) {
      CrossValidation.Result raw = CrossValidation.run(train, options, k, seed);
      outOfFold.add(raw.proba());
      CrossValidation.Result cv = CrossValidation.recalibrate(raw, train.y(), train.classes(), calibration, rareClass);
      folds = cv.folds();
      String note = cv.note();
      TrainingOptions capped = capMissCost(options, cv.proba(), train.y(), rareClass, requiredSpecificity);
      if (capped != options) {
        note = (note == null ? "" : note + "; ") + "rare-miss cost lowered from %s to %s to keep specificity >= %.2f"
            .formatted(missCost(options.costs(), rareClass), missCost(capped.costs(), rareClass), requiredSpecificity);
        cv = decideAgain(cv, capped, train);
      }
      ClassificationMetrics.PerClass rare = cv.metrics().perClass().get(rareClass);
      results.add(new Candidate(capped.label(), capped, rare.recall(), rare.specificity(), rare.auprc(),
          cv.metrics().macroF1(), cv.metrics().balancedAccuracy(), rare.brier(), cv.trainSeconds(), note));
    }
    Comparator<Candidate> byPolicy = Comparator.comparingDouble((Candidate c) -> nanLow(c.rareRecall()))
        .thenComparingDouble(c -> nanLow(c.rareAuprc()));
    Candidate best = null;
    for (Candidate c : results) {
      if (c.rareSpecificity() >= requiredSpecificity && (best == null || byPolicy.compare(c, best) > 0)) {
        best = c;
      }
    }
    String reason;
    if (best != null) {
      reason = "%s: rare-class recall %.3f at specificity %.3f >= %.2f (AUPRC %.3f)".formatted(best.label(),
          best.rareRecall(), best.rareSpecificity(), requiredSpecificity, best.rareAuprc());
    } else {
      for (Candidate c : results) {
        if (best == null || nanLow(c.rareSpecificity()) > nanLow(best.rareSpecificity())) {
          best = c;
        }
      }
      reason = "no candidate reached rare-class specificity %.2f; took the most specific, %s (%.3f)"
          .formatted(requiredSpecificity, best.label(), best.rareSpecificity());
    }
    return new Selection(best.options(), reason, List.copyOf(results), folds, calibration,
        outOfFold.get(results.indexOf(best)));
  }

  /**
   * The options with their rare-miss cost lowered to the largest value at which the rows of {@code proba} keep a
   * rare-class specificity of at least {@code requiredSpecificity}; the options themselves when they have no
   * {@link CostMatrix#rareMiss} matrix or already keep it. Never below 1 (a miss never costs less than a false alarm;
   * a candidate that flags too many rows even then fails the floor and the policy passes it over).
   *
   * <p>Why: the configured miss cost is the clinic's value judgement and the specificity floor its capacity for false
   * alarms. On calibrated probabilities of a weak or many-class model the two can conflict (a 5-class model flags the
   * rare class when m P(rare) exceeds every other class's probability, which at m = 19 can be half the patients);
   * then capacity wins, and the decision stays a cost-matrix decision on calibrated probabilities with the smaller
   * cost, instead of the search falling back to the most probable class, which on calibrated probabilities almost
   * never names a rare class. A negative row is flagged exactly when m &gt; max_(j != rare) P(j) / P(rare).
   *
   * @param proba out-of-fold probabilities (calibrated as the model will serve them), one row per label in {@code y}
   */
  public static TrainingOptions capMissCost(TrainingOptions options, double[][] proba, int[] y, int rare,
                                            double requiredSpecificity) {
    CostMatrix costs = options.costs();
    if (costs == null) {
      return options;
    }
    int k = costs.classes();
    double m = missCost(costs, rare);
    if (!costs.equals(CostMatrix.rareMiss(k, rare, m))) {
      return options;
    }
    List<Double> critical = new ArrayList<>();
    for (int i = 0; i < y.length; i++) {
      if (y[i] != rare) {
        double other = 0;
        for (int j = 0; j < k; j++) {
          other = j == rare ? other : Math.max(other, proba[i][j]);
        }
        critical.add(proba[i][rare] > 0 ? other / proba[i][rare] : Double.POSITIVE_INFINITY);
      }
    }
    if (critical.isEmpty()) {
      return options;
    }
    critical.sort(null);
    // flagged negatives are those with critical < m; at most this many may be flagged
    int allowed = (int) Math.floor((1 - requiredSpecificity) * critical.size() + 1e-9);
    double limit = critical.get(Math.min(allowed, critical.size() - 1));
    if (m <= limit) {
      return options;
    }
    // the largest cost that flags fewer rows than the limit: just below it, rounded down to 3 significant digits
    double capped = Math.max(1, new java.math.BigDecimal(limit * (1 - 1e-9))
        .round(new java.math.MathContext(3, java.math.RoundingMode.DOWN)).doubleValue());
    return options.withCosts(CostMatrix.rareMiss(k, rare, capped));
  }

  /** The rare class's miss cost in a {@link CostMatrix#rareMiss} matrix. */
  public static double missCost(CostMatrix costs, int rare) {
    return costs.asList().get(rare).get(rare == 0 ? 1 : 0);
  }

  /** {@code cv} with its decisions taken again by {@code options}' rule on the same probabilities. */
  private static CrossValidation.Result decideAgain(CrossValidation.Result cv, TrainingOptions options,
                                                    FeatureTable train) {
    int[] predicted = new int[cv.proba().length];
    for (int i = 0; i < predicted.length; i++) {
      predicted[i] = options.costs() == null ? Classifier.argMax(cv.proba()[i])
          : options.costs().decide(cv.proba()[i]);
    }
    return new CrossValidation.Result(options, cv.folds(), cv.note(), cv.proba(), predicted,
        ClassificationMetrics.of(train.y(), cv.proba(), predicted, train.classes()), cv.foldDetails(),
        cv.trainSeconds());
  }

  private static double nanLow(double v) {
    return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
  }
}
