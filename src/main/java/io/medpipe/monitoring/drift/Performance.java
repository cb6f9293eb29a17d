package io.medpipe.monitoring.drift;

import io.medpipe.monitoring.drift.DriftReport.ClassPerformance;
import io.medpipe.monitoring.drift.DriftReport.ExpectedPerformance;
import io.medpipe.monitoring.drift.DriftReport.LivePerformance;
import io.medpipe.monitoring.drift.DriftReport.Rate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.FisherExactTest;
import org.apache.commons.statistics.interval.BinomialConfidenceInterval;
import org.apache.commons.statistics.interval.Interval;

/**
 * Recall and precision of the window: expected from probabilities when labels are missing, measured from clinician
 * feedback when they arrive.
 *
 * <p><b>Expected (confidence-based performance estimation, as NannyML's CBPE):</b> if the probabilities are calibrated
 * for the window (after adjusting them to its estimated prior), row i is truly of the target class with probability
 * p_i. Then TP = sum of p_i over rows the decision called positive, FN = sum of p_i over the other rows, so expected
 * recall = E[TP] / (E[TP] + E[FN]) and precision = E[TP] / called positives. TP and FN are independent
 * Poisson-binomial counts with variances sum p_i (1 - p_i); the band is the estimate +- z sd by the delta method. It
 * describes the realised value's spread if the probabilities are right, not the error of the probabilities.
 */
final class Performance {

  private static final double Z95 = 1.959963984540054;

  private Performance() {
  }

  /**
   * @param probabilities  (prior-adjusted) probability per row and class
   * @param predicted      the decision per row, -1 where no automated decision was made: a rare case there is a
   *                       case the automation missed, so it counts against recall
   * @param target         the class measured
   * @param validatedLower the validated lower recall bound, NaN if unknown
   */
  static ExpectedPerformance expected(double[][] probabilities, int[] predicted, int target, String label,
                                      boolean priorAdjusted, double validatedLower) {
    double tp = 0;
    double tpVar = 0;
    double fn = 0;
    double fnVar = 0;
    long called = 0;
    for (int i = 0; i < predicted.length; i++) {
      double p = probabilities[i][target];
      if (predicted[i] == target) {
        called++;
        tp += p;
        tpVar += p * (1 - p);
      } else {
        fn += p;
        fnVar += p * (1 - p);
      }
    }
    double positives = tp + fn;
    double recall = positives > 0 ? tp / positives : Double.NaN;
    // d recall / d TP = FN / (TP+FN)^2, d recall / d FN = -TP / (TP+FN)^2
    double recallSd = positives > 0
        ? Math.sqrt(fn * fn * tpVar + tp * tp * fnVar) / (positives * positives) : Double.NaN;
    double precision = called > 0 ? tp / called : Double.NaN;
    double precisionSd = called > 0 ? Math.sqrt(tpVar) / called : Double.NaN;
    double recallUpper = clip(recall + Z95 * recallSd);
    return new ExpectedPerformance(label, called, positives, recall, clip(recall - Z95 * recallSd), recallUpper,
        precision, clip(precision - Z95 * precisionSd), clip(precision + Z95 * precisionSd), priorAdjusted,
        validatedLower, !Double.isNaN(validatedLower) && recallUpper < validatedLower);
  }

  private static double clip(double v) {
    return Double.isNaN(v) ? v : Math.max(0, Math.min(1, v));
  }

  /**
   * Live recall, precision and specificity per class from feedback; rows without feedback (label < 0) are left out.
   * A confirmed case the API answered without an automated decision (predicted -1) is a case the automation did not
   * flag: it counts against that class's recall and flags no other class.
   *
   * @param validatedRecallLower per class label, the validated lower recall bound (may be empty)
   */
  static LivePerformance live(int[] predicted, int[] feedback, List<String> classes,
                              Map<String, Double> validatedRecallLower) {
    return live(predicted, feedback, classes, validatedRecallLower, null);
  }

  /**
   * As above, and each class's live recall tested against its recall on the version's held-out rows: Fisher's exact
   * test, one-sided, on found and missed cases live against found and missed on those rows (commons-statistics-
   * inference). Both counts are samples: a held-out recall measured on a few dozen cases is itself uncertain, and a
   * test against it as if it were exact would flag every window once feedback accumulates whenever that estimate
   * happened to be high. A concept change that costs recall can show here while recall is still above the validated
   * bound; how soon depends on how many cases both sides hold.
   *
   * @param referenceCases per class, {found, cases} on the held-out rows at the served decision (null: not tested)
   */
  static LivePerformance live(int[] predicted, int[] feedback, List<String> classes,
                              Map<String, Double> validatedRecallLower, long[][] referenceCases) {
    int k = classes.size();
    // one extra row for the answers without an automated decision
    long[][] confusion = new long[k + 1][k];
    long labelled = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (feedback[i] >= 0) {
        if (feedback[i] >= k) {
          throw new IllegalArgumentException("feedback[" + i + "] is not a class index in [0, " + k + "): "
              + feedback[i]);
        }
        confusion[predicted[i] < 0 ? k : predicted[i]][feedback[i]]++;
        labelled++;
      }
    }
    List<ClassPerformance> perClass = new ArrayList<>(k);
    for (int c = 0; c < k; c++) {
      long tp = confusion[c][c];
      long fn = 0;
      long fp = 0;
      for (int j = 0; j < k; j++) {
        if (j != c) {
          fn += confusion[j][c];
          fp += confusion[c][j];
        }
      }
      fn += confusion[k][c];
      long tn = labelled - tp - fn - fp;
      Rate recall = wilson(tp, tp + fn);
      double bound = validatedRecallLower.getOrDefault(classes.get(c), Double.NaN);
      long refFound = referenceCases == null ? 0 : referenceCases[c][0];
      long refCases = referenceCases == null ? 0 : referenceCases[c][1];
      double reference = refCases == 0 ? Double.NaN : (double) refFound / refCases;
      double dropP = refCases == 0 || tp + fn == 0 || tp + fn + refCases > Integer.MAX_VALUE ? Double.NaN
          : FisherExactTest.withDefaults().with(AlternativeHypothesis.LESS_THAN)
              .test(new int[][] {{(int) tp, (int) fn}, {(int) refFound, (int) (refCases - refFound)}}).getPValue();
      perClass.add(new ClassPerformance(classes.get(c), recall, wilson(tp, tp + fp), wilson(tn, tn + fp), bound,
          !Double.isNaN(bound) && recall.upper() < bound, reference, dropP));
    }
    return new LivePerformance(predicted.length, labelled,
        predicted.length == 0 ? 0 : (double) labelled / predicted.length, perClass);
  }

  /** A proportion with its 95% Wilson score interval (commons-statistics-interval). */
  static Rate wilson(long successes, long trials) {
    if (trials == 0) {
      return new Rate(0, 0, Double.NaN, Double.NaN, Double.NaN);
    }
    if (trials > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many trials for an interval: " + trials);
    }
    Interval interval = BinomialConfidenceInterval.WILSON_SCORE.fromErrorRate((int) trials, (int) successes, 0.05);
    return new Rate(successes, trials, (double) successes / trials, interval.getLowerBound(),
        interval.getUpperBound());
  }
}
