package io.medpipe.training;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.evaluation.StratifiedSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import smile.base.cart.CART;
import smile.base.cart.SplitRule;
import smile.classification.DecisionTree;
import smile.data.DataFrame;
import smile.data.Tuple;
import smile.data.type.DataTypes;
import smile.data.type.StructField;

/**
 * Finds columns that alone separate the label almost perfectly: the usual sign of a leak (a column derived from the
 * label, a code filled in after the diagnosis), which makes every cross-validated figure meaningless.
 *
 * <p>"Almost perfectly" is measured, not guessed from names: for each column, a classification tree on that column
 * alone (missing values as one more value below every other, since "measured only for the sick" leaks too) is
 * cross-validated on stratified folds, and the column is flagged when its out-of-fold balanced accuracy reaches
 * {@link #ALMOST_PERFECT}: it finds at least 97% of the rows of each class on average (classes of at least
 * {@link #LEARNABLE_ROWS} rows), on rows it was not fitted on.
 * Out-of-fold, so an identifier (a different value in every row) is not flagged by remembering each row; that is what
 * {@code --id} is for. No real clinical feature of the benchmark tables comes near: their best single columns reach
 * balanced accuracies of 0.4-0.8.
 */
public final class LeakCheck {

  /** Out-of-fold balanced accuracy of one column alone from which it counts as a leak. */
  public static final double ALMOST_PERFECT = 0.97;
  /** Folds of the check. */
  static final int FOLDS = 3;

  private LeakCheck() {
  }

  /**
   * Classes with fewer rows than this do not count in the balanced accuracy: out of fold nothing can learn a class of
   * one or two rows, so they would hide a leak in every other class.
   */
  static final int LEARNABLE_ROWS = 5;

  /** Mean recall of the most probable class over the classes with at least {@link #LEARNABLE_ROWS} rows. */
  static double balancedAccuracy(int[] y, double[][] proba, int[] counts) {
    int[] found = new int[counts.length];
    for (int i = 0; i < y.length; i++) {
      if (io.medpipe.training.model.Classifier.argMax(proba[i]) == y[i]) {
        found[y[i]]++;
      }
    }
    double sum = 0;
    int classes = 0;
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] >= LEARNABLE_ROWS) {
        sum += (double) found[c] / counts[c];
        classes++;
      }
    }
    return sum / classes;
  }

  /** A column that alone separates the label, with its out-of-fold balanced accuracy. */
  public record Finding(String column, double balancedAccuracy) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s (balanced accuracy %.3f on its own, out-of-fold)", column,
          balancedAccuracy);
    }
  }

  /** The columns of {@code data} that alone reach {@link #ALMOST_PERFECT}, most separating first. */
  public static List<Finding> check(FeatureTable data, long seed) {
    int n = data.rows();
    int k = data.classes().size();
    int[] y = data.y();
    int[] counts = data.classCounts();
    if (Arrays.stream(counts).filter(c -> c >= LEARNABLE_ROWS).count() < 2) {
      return List.of(); // fewer than two classes a column could be judged on
    }
    int smallest = Arrays.stream(counts).filter(c -> c > 0).min().orElse(0);
    int folds = Math.max(2, Math.min(FOLDS, n));
    int[] fold = StratifiedSplit.folds(y, folds, seed);
    List<Finding> found = new ArrayList<>();
    for (int j = 0; j < data.features().size(); j++) {
      double[] column = new double[n];
      double min = Double.POSITIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        column[i] = data.x()[i][j];
        if (!Double.isNaN(column[i])) {
          min = Math.min(min, column[i]);
        }
      }
      double missing = Double.isInfinite(min) ? 0 : min - 1;
      for (int i = 0; i < n; i++) {
        column[i] = Double.isNaN(column[i]) ? missing : column[i];
      }
      double[][] proba = new double[n][];
      for (int f = 0; f < folds; f++) {
        final int ff = f;
        int[] train = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] != ff).toArray();
        int[] test = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] == ff).toArray();
        double[][] x = new double[train.length][1];
        int[] ty = new int[train.length];
        for (int i = 0; i < train.length; i++) {
          x[i][0] = column[train[i]];
          ty[i] = y[train[i]];
        }
        DataFrame frame = DataFrame.of(x, "column");
        int[] samples = new int[train.length];
        Arrays.fill(samples, 1);
        // leaves of at least 2 rows (1 on tables with 1-row classes) and at most 4 per class: enough to carve a
        // derived code's levels, too few to remember an identifier's
        DecisionTree tree = new DecisionTree(frame, ty, new StructField("y", DataTypes.IntegerType), k,
            SplitRule.GINI, 20, Math.max(2, 4 * k), smallest < 4 ? 1 : 2, 1, samples, CART.order(frame));
        for (int i : test) {
          double[] p = new double[k];
          tree.predict(Tuple.of(new double[] {column[i]}, frame.schema()), p);
          proba[i] = p;
        }
      }
      double ba = balancedAccuracy(y, proba, counts);
      if (ba >= ALMOST_PERFECT) {
        found.add(new Finding(data.features().get(j).name(), ba));
      }
    }
    found.sort((a, b) -> Double.compare(b.balancedAccuracy(), a.balancedAccuracy()));
    return found;
  }
}
