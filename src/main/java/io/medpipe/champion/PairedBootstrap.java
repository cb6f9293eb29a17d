package io.medpipe.champion;

import io.medpipe.training.evaluation.BootstrapCi;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A paired percentile bootstrap of two models scored on the same rows: each replicate draws the rows once, with
 * replacement, and measures both models on that same draw, so the interval of the difference (challenger minus
 * champion) reflects only where the two models disagree, not which patients happened to be drawn.
 *
 * <p>Measured for the rare class: recall at each model's own decision (the rule it serves) and average precision
 * (AUPRC, scikit-learn's step definition, as {@code ClassificationMetrics.averagePrecision}). A replicate without a
 * positive row defines neither and is skipped and counted. Intervals are the 2.5th and 97.5th percentiles with
 * numpy's default linear interpolation.
 *
 * <p>Why our own code: Smile has no AUPRC and no paired bootstrap, and the obvious implementation (copy the drawn rows,
 * sort them, measure) costs a sort per replicate and model. Here each model's rows are sorted once and a replicate is
 * a vector of draw counts per row, so average precision over the draw is one pass in that order: the same value as on
 * the copied rows (ties are taken as one threshold in both), in O(n) per replicate.
 */
public final class PairedBootstrap {

  private PairedBootstrap() {}

  /** A figure on all rows with its 95% percentile interval. */
  public record Interval(double value, double lower, double upper) {}

  /**
   * The result of one paired bootstrap.
   *
   * @param replicates how many replicates were drawn
   * @param defined    how many had at least one positive row (the intervals are over these)
   */
  public record Result(Interval challengerRecall, Interval championRecall, Interval recallDifference,
                       Interval challengerAuprc, Interval championAuprc, Interval auprcDifference, int replicates,
                       int defined, long seed) {}

  /**
   * One model's view of the rows.
   *
   * @param score  the model's probability of the rare class per row
   * @param called whether the model's decision (its served rule) is the rare class, per row
   */
  public record Scored(double[] score, boolean[] called) {}

  /**
   * Runs the paired bootstrap.
   *
   * @param positive   whether each row's true class is the rare one
   * @param challenger the new version's scores and decisions on the rows
   * @param champion   the production version's, on the same rows in the same order
   * @throws IllegalArgumentException if the arrays differ in length, there are no rows, no positive row, or fewer
   *                                  than 100 replicates
   */
  public static Result of(boolean[] positive, Scored challenger, Scored champion, int replicates, long seed) {
    int n = positive.length;
    if (n == 0 || challenger.score().length != n || challenger.called().length != n || champion.score().length != n
        || champion.called().length != n) {
      throw new IllegalArgumentException("both models must be scored on the same, non-empty rows");
    }
    if (replicates < 100) {
      throw new IllegalArgumentException("at least 100 bootstrap replicates are needed, was " + replicates);
    }
    int[] ones = new int[n];
    Arrays.fill(ones, 1);
    if (positives(positive, ones) == 0) {
      throw new IllegalArgumentException("no row of the rare class: recall and AUPRC are undefined");
    }
    int[] orderA = descending(challenger.score());
    int[] orderB = descending(champion.score());
    double recallA = recall(positive, challenger.called(), ones);
    double recallB = recall(positive, champion.called(), ones);
    double apA = averagePrecision(challenger.score(), positive, orderA, ones);
    double apB = averagePrecision(champion.score(), positive, orderB, ones);

    double[] rA = new double[replicates];
    double[] rB = new double[replicates];
    double[] rD = new double[replicates];
    double[] aA = new double[replicates];
    double[] aB = new double[replicates];
    double[] aD = new double[replicates];
    int defined = 0;
    SplittableRandom random = new SplittableRandom(seed);
    int[] counts = new int[n];
    for (int b = 0; b < replicates; b++) {
      Arrays.fill(counts, 0);
      for (int i = 0; i < n; i++) {
        counts[random.nextInt(n)]++;
      }
      if (positives(positive, counts) == 0) {
        continue;
      }
      rA[defined] = recall(positive, challenger.called(), counts);
      rB[defined] = recall(positive, champion.called(), counts);
      rD[defined] = rA[defined] - rB[defined];
      aA[defined] = averagePrecision(challenger.score(), positive, orderA, counts);
      aB[defined] = averagePrecision(champion.score(), positive, orderB, counts);
      aD[defined] = aA[defined] - aB[defined];
      defined++;
    }
    return new Result(interval(recallA, rA, defined), interval(recallB, rB, defined),
        interval(recallA - recallB, rD, defined), interval(apA, aA, defined), interval(apB, aB, defined),
        interval(apA - apB, aD, defined), replicates, defined, seed);
  }

  private static int positives(boolean[] positive, int[] counts) {
    int p = 0;
    for (int i = 0; i < positive.length; i++) {
      p += positive[i] ? counts[i] : 0;
    }
    return p;
  }

  static double recall(boolean[] positive, boolean[] called, int[] counts) {
    int found = 0;
    int all = 0;
    for (int i = 0; i < positive.length; i++) {
      if (positive[i]) {
        all += counts[i];
        found += called[i] ? counts[i] : 0;
      }
    }
    return (double) found / all;
  }

  /** Row indices by score, highest first. */
  static int[] descending(double[] score) {
    return IntStream.range(0, score.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> score[i]).reversed()).mapToInt(Integer::intValue).toArray();
  }

  /**
   * Average precision of the rows drawn {@code counts[i]} times each: over distinct thresholds, highest first, the
   * sum of (R_n - R_(n-1)) * P_n, every row with the same score entering at once.
   */
  static double averagePrecision(double[] score, boolean[] positive, int[] order, int[] counts) {
    int positives = positives(positive, counts);
    double ap = 0;
    long tp = 0;
    long seen = 0;
    double previousRecall = 0;
    int i = 0;
    while (i < order.length) {
      double threshold = score[order[i]];
      while (i < order.length && score[order[i]] == threshold) {
        int r = order[i];
        seen += counts[r];
        tp += positive[r] ? counts[r] : 0;
        i++;
      }
      if (seen == 0) {
        continue;
      }
      double recall = (double) tp / positives;
      ap += (recall - previousRecall) * ((double) tp / seen);
      previousRecall = recall;
    }
    return ap;
  }

  private static Interval interval(double value, double[] replicates, int defined) {
    if (defined == 0) {
      return new Interval(value, Double.NaN, Double.NaN);
    }
    double[] v = Arrays.copyOf(replicates, defined);
    Arrays.sort(v);
    return new Interval(value, BootstrapCi.percentile(v, 0.025), BootstrapCi.percentile(v, 0.975));
  }
}
