package io.medpipe.training.evaluation;

import io.medpipe.training.calibration.LogitRegression;
import io.medpipe.training.model.Classifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The evaluation of class-probability predictions against the truth: per-class figures, confusion matrix and summaries.
 *
 * <p>Undefined values are {@code NaN}, never 0, so that "not measurable" is not mistaken for "bad" (or averaged in):
 * recall, ROC-AUC and AUPRC of a class absent from the truth; precision of a class never predicted; specificity when
 * every row belongs to the class; F1 when the class is neither present nor predicted.
 *
 * @param perClass         one entry per class, in class order
 * @param confusion        counts with truth rows x predicted columns, predictions being the arg-max class
 * @param macroF1          mean F1 over the classes whose F1 is defined (present in the truth or predicted), as
 *                         scikit-learn's {@code f1_score(average="macro")}
 * @param balancedAccuracy mean recall over the classes present in the truth
 * @param accuracy         share of rows predicted right. Kept for completeness but misleading under imbalance: always
 *                         answering the majority class of a 95/5 cohort scores 0.95 while missing every patient
 */
public record ClassificationMetrics(List<PerClass> perClass, int[][] confusion, double macroF1,
                                    double balancedAccuracy, double accuracy) {

  /**
   * The one-vs-rest figures of one class.
   *
   * @param label       class label
   * @param support     rows of this class in the truth
   * @param recall      sensitivity: TP / (TP + FN)
   * @param precision   positive predictive value: TP / (TP + FP)
   * @param f1          2TP / (2TP + FP + FN), the harmonic mean of precision and recall (0 when the class is present but
   *                    never predicted right)
   * @param specificity TN / (TN + FP)
   * @param rocAuc      area under the ROC curve of this class's probability, one-vs-rest
   * @param auprc       average precision of this class's probability, as scikit-learn's {@code average_precision_score}
   * @param brier       one-vs-rest Brier score of this class's probability, mean of (p - [y == c])^2, as
   *                    scikit-learn's {@code brier_score_loss}; 0 is perfect
   * @param calibrationSlope     b of the logistic recalibration logit P(y = c) = a + b logit(p): 1 is ideal, below 1
   *                             means over-confident (too extreme) probabilities; NaN when not estimable
   * @param calibrationIntercept calibration-in-the-large: a of logit P(y = c) = a + logit(p) (slope fixed at 1); 0 is
   *                             ideal, negative means the probabilities are too high on average (as after oversampling)
   */
  public record PerClass(String label, int support, double recall, double precision, double f1, double specificity,
                         double rocAuc, double auprc, double brier, double calibrationSlope,
                         double calibrationIntercept) {
  }

  public ClassificationMetrics {
    perClass = List.copyOf(perClass);
    confusion = deepCopy(confusion);
  }

  @Override
  public int[][] confusion() {
    return deepCopy(confusion);
  }

  /**
   * Evaluates predicted probabilities.
   *
   * @param truth   true class index per row
   * @param proba   predicted probability per row and class; the predicted class is the arg-max (first on ties)
   * @param classes class labels, indexed like the columns of {@code proba}
   */
  public static ClassificationMetrics of(int[] truth, double[][] proba, List<String> classes) {
    Objects.requireNonNull(proba, "proba");
    int[] predicted = new int[proba.length];
    for (int i = 0; i < proba.length; i++) {
      if (proba[i] == null) {
        throw new IllegalArgumentException("row " + i + " has no probabilities");
      }
      predicted[i] = Classifier.argMax(proba[i]);
    }
    return of(truth, proba, predicted, classes);
  }

  /**
   * Evaluates predicted probabilities with explicitly given class decisions (e.g. after threshold moving with a cost
   * matrix): the confusion matrix and recall/precision/F1/specificity use {@code predicted}, the ranking and
   * calibration figures use {@code proba}.
   */
  public static ClassificationMetrics of(int[] truth, double[][] proba, int[] predicted, List<String> classes) {
    Objects.requireNonNull(truth, "truth");
    Objects.requireNonNull(proba, "proba");
    Objects.requireNonNull(predicted, "predicted");
    Objects.requireNonNull(classes, "classes");
    int k = classes.size();
    int n = truth.length;
    if (k < 2) {
      throw new IllegalArgumentException("need at least 2 classes, got " + classes);
    }
    if (proba.length != n) {
      throw new IllegalArgumentException("truth has " + n + " rows but proba has " + proba.length);
    }
    if (n == 0) {
      throw new IllegalArgumentException("no rows to evaluate");
    }
    int[][] confusion = new int[k][k];
    for (int i = 0; i < n; i++) {
      if (truth[i] < 0 || truth[i] >= k) {
        throw new IllegalArgumentException("row " + i + " has class index " + truth[i] + ", classes are " + classes);
      }
      if (proba[i] == null || proba[i].length != k) {
        throw new IllegalArgumentException("row " + i + " needs " + k + " probabilities");
      }
      if (predicted.length != n || predicted[i] < 0 || predicted[i] >= k) {
        throw new IllegalArgumentException("row " + i + " needs a predicted class index in 0.." + (k - 1));
      }
      confusion[truth[i]][predicted[i]]++;
    }

    List<PerClass> perClass = new ArrayList<>(k);
    double f1Sum = 0;
    int f1Count = 0;
    double recallSum = 0;
    int recallCount = 0;
    int correct = 0;
    for (int c = 0; c < k; c++) {
      int tp = confusion[c][c];
      int support = 0;
      int calls = 0;
      for (int j = 0; j < k; j++) {
        support += confusion[c][j];
        calls += confusion[j][c];
      }
      int fp = calls - tp;
      int fn = support - tp;
      int tn = n - tp - fp - fn;
      correct += tp;

      double recall = ratio(tp, support);
      double precision = ratio(tp, calls);
      double f1 = ratio(2.0 * tp, 2.0 * tp + fp + fn);
      double specificity = ratio(tn, tn + fp);
      double[] score = new double[n];
      boolean[] positive = new boolean[n];
      for (int i = 0; i < n; i++) {
        score[i] = proba[i][c];
        positive[i] = truth[i] == c;
      }
      double[] calibration = calibration(score, positive);
      perClass.add(new PerClass(classes.get(c), support, recall, precision, f1, specificity,
          rocAuc(score, positive), averagePrecision(score, positive), brier(score, positive), calibration[1],
          calibration[0]));
      if (!Double.isNaN(f1)) {
        f1Sum += f1;
        f1Count++;
      }
      if (!Double.isNaN(recall)) {
        recallSum += recall;
        recallCount++;
      }
    }
    return new ClassificationMetrics(perClass, confusion, ratio(f1Sum, f1Count), ratio(recallSum, recallCount),
        (double) correct / n);
  }

  /** The figures of the class with this label. */
  public PerClass forClass(String label) {
    for (PerClass pc : perClass) {
      if (pc.label().equals(label)) {
        return pc;
      }
    }
    throw new IllegalArgumentException("unknown class " + label);
  }

  /**
   * ROC-AUC as the Mann-Whitney statistic: the probability that a random positive outscores a random negative, a tie
   * counting one half (hence the averaged ranks of tied scores). NaN without positives or without negatives.
   */
  static double rocAuc(double[] score, boolean[] positive) {
    int n = score.length;
    Integer[] order = sortedIndices(score, true);
    double positiveRankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1; // ranks are 1-based; tied block i..j shares their mean
      for (int t = i; t <= j; t++) {
        if (positive[order[t]]) {
          positiveRankSum += averageRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /**
   * Average precision exactly as scikit-learn: the sum over distinct score thresholds, highest first, of
   * (R_n - R_(n-1)) * P_n. A step function, deliberately not the trapezoidal area, which overstates a ranking that
   * jumps from high precision to high recall. NaN without positives.
   */
  public static double averagePrecision(double[] score, boolean[] positive) {
    int n = score.length;
    int positives = 0;
    for (boolean p : positive) {
      if (p) {
        positives++;
      }
    }
    if (positives == 0) {
      return Double.NaN;
    }
    Integer[] order = sortedIndices(score, false);
    double ap = 0;
    double previousRecall = 0;
    int tp = 0;
    int seen = 0;
    int i = 0;
    while (i < n) {
      // a threshold takes every row with the same score at once
      double threshold = score[order[i]];
      while (i < n && score[order[i]] == threshold) {
        if (positive[order[i]]) {
          tp++;
        }
        seen++;
        i++;
      }
      double recall = (double) tp / positives;
      double precision = (double) tp / seen;
      ap += (recall - previousRecall) * precision;
      previousRecall = recall;
    }
    return ap;
  }

  /** Mean squared difference between the probability and the 0/1 outcome (scikit-learn's brier_score_loss). */
  static double brier(double[] score, boolean[] positive) {
    double sum = 0;
    for (int i = 0; i < score.length; i++) {
      double d = score[i] - (positive[i] ? 1 : 0);
      sum += d * d;
    }
    return sum / score.length;
  }

  /**
   * {calibration-in-the-large intercept, calibration slope} by maximum likelihood (Newton-Raphson) on the logit of the
   * probability, clipped to [1e-6, 1 - 1e-6] so that a tree's 0 or 1 stays finite. NaN when the outcome has a single
   * value or the fit does not converge (perfect separation).
   */
  static double[] calibration(double[] score, boolean[] positive) {
    int n = score.length;
    double[] z = new double[n];
    int positives = 0;
    for (int i = 0; i < n; i++) {
      double p = Math.min(1 - 1e-6, Math.max(1e-6, score[i]));
      z[i] = Math.log(p / (1 - p));
      if (positive[i]) {
        positives++;
      }
    }
    if (positives == 0 || positives == n) {
      return new double[] {Double.NaN, Double.NaN};
    }
    // intercept with offset z, slope fixed at 1
    double a = 0;
    boolean converged = false;
    for (int it = 0; it < 100 && !converged; it++) {
      double g = 0;
      double h = 0;
      for (int i = 0; i < n; i++) {
        double p = 1 / (1 + Math.exp(-(a + z[i])));
        g += (positive[i] ? 1 : 0) - p;
        h += p * (1 - p);
      }
      double step = g / h;
      a += step;
      converged = Math.abs(step) < 1e-10;
    }
    double intercept = converged ? a : Double.NaN;
    return new double[] {intercept, LogitRegression.onLogit(z, LogitRegression.targets(positive))[1]};
  }

  /**
   * The reliability diagram of one class's probability: rows sorted by score and cut into 10 equal groups
   * (deciles), per group {mean predicted, observed share}, ascending by mean predicted.
   */
  public static List<double[]> reliability(double[] score, boolean[] positive) {
    Integer[] order = new Integer[score.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
    List<double[]> points = new ArrayList<>();
    int n = order.length;
    for (int b = 0; b < 10; b++) {
      int from = b * n / 10;
      int to = (b + 1) * n / 10;
      if (to <= from) {
        continue;
      }
      double p = 0;
      double o = 0;
      for (int i = from; i < to; i++) {
        p += score[order[i]];
        o += positive[order[i]] ? 1 : 0;
      }
      points.add(new double[] {p / (to - from), o / (to - from)});
    }
    points.sort((a, c) -> Double.compare(a[0], c[0]));
    return points;
  }

  private static Integer[] sortedIndices(double[] score, boolean ascending) {
    Integer[] order = new Integer[score.length];
    for (int i = 0; i < order.length; i++) {
      if (Double.isNaN(score[i])) {
        throw new IllegalArgumentException("score of row " + i + " is NaN");
      }
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> ascending ? Double.compare(score[a], score[b]) : Double.compare(score[b], score[a]));
    return order;
  }

  private static double ratio(double numerator, double denominator) {
    return denominator == 0 ? Double.NaN : numerator / denominator;
  }

  private static int[][] deepCopy(int[][] m) {
    int[][] copy = new int[m.length][];
    for (int i = 0; i < m.length; i++) {
      copy[i] = m[i].clone();
    }
    return copy;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("ClassificationMetrics[macroF1=%.4f, balancedAccuracy=%.4f, accuracy=%.4f"
        .formatted(macroF1, balancedAccuracy, accuracy));
    for (PerClass pc : perClass) {
      s.append("\n  ").append(pc);
    }
    return s.append("\n  confusion ").append(Arrays.deepToString(confusion)).append(']').toString();
  }
}
