package io.medpipe.training.evaluation;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import io.medpipe.training.model.ClassWeighting;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.TrainingOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipeline's candidate search: cross-validates each candidate configuration on the training rows (inner folds),
 * calibrates its out-of-fold probabilities as the served model would be calibrated (cross-fitted over the folds), and
 * picks one by {@link #POLICY}, which lets every minority class count.
 *
 * <p>The policy was declared before any figure of it was measured, and measured on development tables only (the
 * model-quality study's section 0 and 5); docs/training.md gives its reasons.
 *
 * <p>Tiny classes never stop the search: a class with fewer rows than folds sits in fewer folds (a fold model that
 * has no row of it still gives every class a probability, see {@link io.medpipe.training.model.ForestModel} and
 * {@link io.medpipe.training.model.XgboostModel}); a class with fewer than {@link #ESTIMABLE_ROWS} rows is "too rare to
 * estimate": it does not vote in the policy, and is still scored everywhere else. Two inner folds instead of three
 * when fewer than two classes have that many rows.
 */
public final class CandidateSearch {

  /** Inner folds of the search. */
  public static final int FOLDS = 3;
  /** Rows a minority class needs in the search's out-of-fold set for its recall to vote. */
  public static final int ESTIMABLE_ROWS = 3;
  /** The specificity at which each minority class's recall is read (one-vs-rest). */
  public static final double POLICY_SPECIFICITY = 0.95;
  /** A candidate whose multi-class Brier score exceeds this multiple of the lowest one is excluded. */
  public static final double BRIER_GUARD = 1.5;
  /** Mean average precisions within this are a tie (then the earlier, cheaper candidate). */
  public static final double AP_TIE = 0.005;
  /** Trees per forest during the search (the chosen forest is refitted with the configured count). */
  public static final int SEARCH_FOREST_TREES = 100;

  public static final String POLICY = "minority recall first, within noise; then ranking; Brier as a guard. Per "
      + "candidate, on its out-of-fold probabilities calibrated as served (cross-fitted): R = mean over the minority "
      + "classes (every class but the largest) with >= " + ESTIMABLE_ROWS + " rows of the recall at one-vs-rest "
      + "specificity >= " + POLICY_SPECIFICITY + ", AP = mean average precision of those classes, B = multi-class "
      + "Brier score. Candidates with B > " + BRIER_GUARD + " x the lowest B are excluded; those with R >= R_best - "
      + "SE(R_best) are level (SE = sqrt(sum R_c (1 - R_c) / n_c) / m); among them the highest AP, ties (within "
      + AP_TIE + ") to the earlier candidate. No estimable minority class: the lowest B";

  /**
   * One candidate's figures.
   *
   * @param minorityRecall R of the policy (NaN without an estimable minority class)
   * @param recallSe       its standard error
   * @param meanAp         AP of the policy
   * @param brier          B of the policy
   * @param excluded       why the policy excluded it (the Brier guard), or null
   * @param level          whether its R was within noise of the best
   * @param seconds        wall time of its fits
   */
  public record Candidate(String label, TrainingOptions options, double minorityRecall, double recallSe,
                          double meanAp, double brier, String excluded, boolean level, double macroF1,
                          double balancedAccuracy, double seconds) {
  }

  /**
   * The search's outcome.
   *
   * @param chosen              the chosen candidate's options (as searched: a forest with the search's trees)
   * @param reason              why, in words
   * @param candidates          every candidate's figures, in candidate order
   * @param folds               inner folds used
   * @param tooRare             minority classes too rare to estimate (they did not vote)
   * @param outOfFold           the chosen candidate's pooled out-of-fold probabilities as its fold models gave them:
   *                            what the refitted model's calibration is fitted on (no fold model trained on the row it
   *                            predicted, and the prevalence is the natural one)
   * @param calibratedOutOfFold the same, calibrated by cross-fitting: the probabilities the decision rule is set on
   * @param calibration         how the candidates' probabilities were calibrated
   * @param modelsTrained       models fitted by the search
   */
  public record Selection(TrainingOptions chosen, String reason, List<Candidate> candidates, int folds,
                          List<String> tooRare, double[][] outOfFold, double[][] calibratedOutOfFold,
                          ProbabilityCalibration.Method calibration, int modelsTrained) {

    /** The selection as plain names and values, for provenance and the model card. */
    public Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("policy", POLICY);
      map.put("reason", reason);
      map.put("folds", folds);
      map.put("calibration",
          calibration.name().toLowerCase(Locale.ROOT) + (calibration == ProbabilityCalibration.Method.NONE ? ""
              : ", cross-fitted on the other folds' out-of-fold predictions"));
      map.put("chosen", chosen.label());
      map.put("tooRareToEstimate", tooRare);
      map.put("modelsTrained", modelsTrained);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Candidate c : candidates) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", c.label());
        row.put("minorityRecallAtSpecificity" + POLICY_SPECIFICITY, c.minorityRecall());
        row.put("minorityRecallSe", c.recallSe());
        row.put("meanMinorityAuprc", c.meanAp());
        row.put("brier", c.brier());
        row.put("macroF1", c.macroF1());
        row.put("balancedAccuracy", c.balancedAccuracy());
        row.put("level", c.level());
        if (c.excluded() != null) {
          row.put("excluded", c.excluded());
        }
        row.put("seconds", c.seconds());
        rows.add(row);
      }
      map.put("candidates", rows);
      return map;
    }
  }

  private CandidateSearch() {
  }

  /**
   * The default candidates, in the policy's order of preference on a tie (cheaper to serve and explain first):
   * XGBoost with balanced row weights, XGBoost without weights, the raw-frequency forest with the ordinary
   * bootstrap ({@link #SEARCH_FOREST_TREES} trees in the search).
   */
  public static List<TrainingOptions> defaultCandidates(long seed) {
    return List.of(
        TrainingOptions.xgboost(TrainingOptions.XGBOOST_ROUNDS, seed, ClassWeighting.BALANCED),
        TrainingOptions.xgboost(TrainingOptions.XGBOOST_ROUNDS, seed, ClassWeighting.NONE),
        TrainingOptions.forest(SEARCH_FOREST_TREES, seed, ClassWeighting.NONE));
  }

  /** Inner folds for these labels: {@link #FOLDS}, or 2 when fewer than two classes have {@link #ESTIMABLE_ROWS}. */
  public static int folds(int[] counts) {
    int enough = 0;
    for (int c : counts) {
      enough += c >= ESTIMABLE_ROWS ? 1 : 0;
    }
    return enough >= 2 ? FOLDS : 2;
  }

  /**
   * Cross-validates every candidate on {@code train} and picks one by {@link #POLICY}.
   *
   * @param threads  models fitted at once (each on one thread)
   * @param progress told about every fitted model
   * @param stage    prefix of the progress messages, e.g. "outer fold 2/5, "
   */
  public static Selection select(FeatureTable train, List<TrainingOptions> candidates, long seed,
                                 ProbabilityCalibration.Method calibration, int threads, Progress progress,
                                 String stage) {
    Objects.requireNonNull(candidates, "candidates");
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidate configurations");
    }
    int[] y = train.y();
    int k = train.classes().size();
    int[] counts = train.classCounts();
    int folds = folds(counts);
    int[] fold = StratifiedSplit.folds(y, Math.min(folds, y.length), seed);
    int total = candidates.size() * folds;
    List<FoldTask> tasks = new ArrayList<>();
    for (int c = 0; c < candidates.size(); c++) {
      for (int f = 0; f < folds; f++) {
        tasks.add(new FoldTask(c, f));
      }
    }
    double[][][] raw = new double[candidates.size()][y.length][];
    double[] seconds = new double[candidates.size()];
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, tasks.size())));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (FoldTask task : tasks) {
        futures.add(pool.submit(() -> {
          long start = System.nanoTime();
          TrainingOptions options = candidates.get(task.candidate());
          predictFold(train, options, fold, task.fold(), raw[task.candidate()]);
          synchronized (seconds) {
            seconds[task.candidate()] += (System.nanoTime() - start) / 1e9;
          }
          progress.fitted(stage + "inner fold " + (task.fold() + 1) + "/" + folds + ", " + options.label(),
              done.incrementAndGet(), total);
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the candidate search", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }

    int majority = 0;
    for (int c = 1; c < k; c++) {
      majority = counts[c] > counts[majority] ? c : majority;
    }
    List<Integer> estimable = new ArrayList<>();
    List<String> tooRare = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      if (c != majority && counts[c] >= ESTIMABLE_ROWS) {
        estimable.add(c);
      } else if (c != majority) {
        tooRare.add(train.classes().get(c) + " (" + counts[c] + " rows)");
      }
    }
    double[][][] calibrated = new double[candidates.size()][][];
    double[] r = new double[candidates.size()];
    double[] se = new double[candidates.size()];
    double[] ap = new double[candidates.size()];
    double[] brier = new double[candidates.size()];
    ClassificationMetrics[] metrics = new ClassificationMetrics[candidates.size()];
    for (int c = 0; c < candidates.size(); c++) {
      calibrated[c] = crossFit(raw[c], y, fold, folds, calibration);
      brier[c] = brier(y, calibrated[c]);
      metrics[c] = ClassificationMetrics.of(y, calibrated[c], train.classes());
      if (estimable.isEmpty()) {
        r[c] = Double.NaN;
        se[c] = Double.NaN;
        ap[c] = Double.NaN;
        continue;
      }
      double variance = 0;
      for (int cls : estimable) {
        boolean[] positive = new boolean[y.length];
        double[] score = new double[y.length];
        for (int i = 0; i < y.length; i++) {
          positive[i] = y[i] == cls;
          score[i] = calibrated[c][i][cls];
        }
        double rc = recallAtSpecificity(score, positive, POLICY_SPECIFICITY);
        r[c] += rc / estimable.size();
        variance += rc * (1 - rc) / counts[cls];
        ap[c] += ClassificationMetrics.averagePrecision(score, positive) / estimable.size();
      }
      se[c] = Math.sqrt(variance) / estimable.size();
    }

    double lowestBrier = Arrays.stream(brier).min().orElseThrow();
    String[] excluded = new String[candidates.size()];
    int best = -1;
    for (int c = 0; c < candidates.size(); c++) {
      if (brier[c] > BRIER_GUARD * lowestBrier) {
        excluded[c] = String.format(Locale.ROOT, "Brier %.3f > %.1f x the lowest, %.3f", brier[c], BRIER_GUARD,
            lowestBrier);
      } else if (best < 0 || r[c] > r[best]) {
        best = c;
      }
    }
    boolean[] level = new boolean[candidates.size()];
    int chosen;
    String reason;
    if (estimable.isEmpty()) {
      chosen = 0;
      for (int c = 1; c < candidates.size(); c++) {
        chosen = brier[c] < brier[chosen] ? c : chosen;
      }
      reason = String.format(Locale.ROOT, "%s: no minority class has %d rows to estimate a recall, so the lowest "
          + "multi-class Brier score (%.3f)", candidates.get(chosen).label(), ESTIMABLE_ROWS, brier[chosen]);
    } else {
      double topAp = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < candidates.size(); c++) {
        level[c] = excluded[c] == null && r[c] >= r[best] - se[best];
        if (level[c]) {
          topAp = Math.max(topAp, ap[c]);
        }
      }
      chosen = -1;
      for (int c = 0; c < candidates.size() && chosen < 0; c++) {
        if (level[c] && ap[c] >= topAp - AP_TIE) {
          chosen = c;
        }
      }
      reason = String.format(Locale.ROOT, "%s: mean minority recall at specificity %.2f %.3f (best %.3f +- %.3f), "
          + "mean minority AUPRC %.3f, Brier %.3f, over %d minority class(es)%s",
          candidates.get(chosen).label(), POLICY_SPECIFICITY, r[chosen], r[best], se[best], ap[chosen],
          brier[chosen], estimable.size(), tooRare.isEmpty() ? "" : "; too rare to estimate: "
              + String.join(", ", tooRare));
    }
    List<Candidate> table = new ArrayList<>();
    for (int c = 0; c < candidates.size(); c++) {
      table.add(new Candidate(candidates.get(c).label(), candidates.get(c), r[c], se[c], ap[c], brier[c],
          excluded[c], level[c], metrics[c].macroF1(), metrics[c].balancedAccuracy(), seconds[c]));
    }
    return new Selection(candidates.get(chosen), reason, List.copyOf(table), folds, List.copyOf(tooRare),
        raw[chosen], calibrated[chosen], calibration, total);
  }

  private record FoldTask(int candidate, int fold) {
  }

  /**
   * Fits {@code options} on the rows outside fold {@code f} (one thread) and writes its probabilities of the fold's
   * rows into {@code out}. Training rows of a single class cannot make a classifier: then the fold's rows get that
   * class with probability 1 (it happens only when every other class sits in this fold).
   */
  static void predictFold(FeatureTable data, TrainingOptions options, int[] fold, int f, double[][] out) {
    int[] test = rows(fold, f, true);
    int[] trainRows = rows(fold, f, false);
    if (test.length == 0) {
      return;
    }
    FeatureTable train = data.subset(trainRows);
    int[] counts = train.classCounts();
    int present = (int) Arrays.stream(counts).filter(n -> n > 0).count();
    if (present < 2) {
      double[] constant = new double[counts.length];
      for (int c = 0; c < counts.length; c++) {
        constant[c] = counts[c] > 0 ? 1 : 0;
      }
      for (int i : test) {
        out[i] = constant.clone();
      }
      return;
    }
    Classifier model = Classifier.fit(train, options, 1);
    for (int i : test) {
      out[i] = model.predictProba(data.x()[i]);
    }
  }

  /**
   * The out-of-fold probabilities with each fold's rows calibrated by a map fitted on the other folds' rows, so no
   * row calibrates itself: the probabilities a calibrated model of the candidate would have served. A map that cannot
   * be fitted leaves its fold as it is.
   */
  static double[][] crossFit(double[][] proba, int[] y, int[] fold, int folds,
                             ProbabilityCalibration.Method method) {
    if (method == ProbabilityCalibration.Method.NONE) {
      return proba;
    }
    double[][] out = new double[proba.length][];
    for (int f = 0; f < folds; f++) {
      int[] other = rows(fold, f, false);
      int[] otherY = new int[other.length];
      double[][] otherP = new double[other.length][];
      for (int i = 0; i < other.length; i++) {
        otherY[i] = y[other[i]];
        otherP[i] = proba[other[i]];
      }
      ProbabilityCalibration map;
      try {
        map = ProbabilityCalibration.fit(method, otherY, otherP, rarest(y, proba[0].length));
      } catch (IllegalArgumentException e) {
        map = null;
      }
      for (int i : rows(fold, f, true)) {
        out[i] = map == null ? proba[i] : map.apply(proba[i]);
      }
    }
    return out;
  }

  /** The rarest class present, the one a one-vs-rest calibration calibrates. */
  static int rarest(int[] y, int k) {
    int[] counts = new int[k];
    for (int c : y) {
      counts[c]++;
    }
    int rare = -1;
    for (int c = 0; c < k; c++) {
      if (counts[c] > 0 && (rare < 0 || counts[c] < counts[rare])) {
        rare = c;
      }
    }
    return rare;
  }

  /**
   * The recall of the positives at the lowest threshold whose specificity is at least {@code floor}, read off these
   * scores: at most floor((1 - floor) x negatives) negatives score above it (a row is flagged when its score is
   * strictly above the threshold).
   */
  public static double recallAtSpecificity(double[] score, boolean[] positive, double floor) {
    List<Double> negatives = new ArrayList<>();
    int positives = 0;
    for (int i = 0; i < score.length; i++) {
      if (positive[i]) {
        positives++;
      } else {
        negatives.add(score[i]);
      }
    }
    if (positives == 0) {
      return Double.NaN;
    }
    negatives.sort((a, b) -> Double.compare(b, a));
    int allowed = (int) Math.floor((1 - floor) * negatives.size() + 1e-9);
    if (allowed >= negatives.size()) {
      return 1;
    }
    double threshold = negatives.get(allowed);
    int found = 0;
    for (int i = 0; i < score.length; i++) {
      found += positive[i] && score[i] > threshold ? 1 : 0;
    }
    return (double) found / positives;
  }

  /** Multi-class Brier score: mean over rows of the summed squared distance to the one-hot truth. */
  public static double brier(int[] y, double[][] proba) {
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      for (int c = 0; c < proba[i].length; c++) {
        double d = proba[i][c] - (y[i] == c ? 1 : 0);
        sum += d * d;
      }
    }
    return sum / y.length;
  }

  static int[] rows(int[] fold, int f, boolean in) {
    return java.util.stream.IntStream.range(0, fold.length).filter(i -> (fold[i] == f) == in).toArray();
  }
}
