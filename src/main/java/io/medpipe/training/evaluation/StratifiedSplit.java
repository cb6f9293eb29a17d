package io.medpipe.training.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Stratified row partitions: a hold-out split and cross-validation fold assignment that keep each class's share.
 *
 * <p>Why stratified: with a rare class of a few dozen rows, a plain random split can put almost none of it in the test
 * set, and the minority metrics (the ones that matter here) become noise. Both methods shuffle with
 * {@link java.util.Random}, whose algorithm is fixed by its specification, so a seed gives the same split on every JVM.
 */
public final class StratifiedSplit {

  /**
   * A hold-out partition of row positions.
   *
   * @param train sorted row positions used for fitting
   * @param test  sorted row positions held out; disjoint from {@code train}, and together they cover every row
   */
  public record Split(int[] train, int[] test) {
    public Split {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(test, "test");
      train = train.clone();
      test = test.clone();
    }

    @Override
    public int[] train() {
      return train.clone();
    }

    @Override
    public int[] test() {
      return test.clone();
    }

    @Override
    public String toString() {
      return "Split[" + train.length + " train, " + test.length + " test]";
    }
  }

  private StratifiedSplit() {
  }

  /**
   * Splits rows into train and test, class by class.
   *
   * <p>Per class with n rows, {@code round(testFraction * n)} rows go to test, clamped so that a class with at least two
   * rows keeps at least one row on each side (otherwise the model never sees it, or the metrics cannot measure it).
   * A class with a single row stays in train: a model can still learn something from it, a metric cannot.
   *
   * @param y            class index per row (non-negative)
   * @param testFraction share of each class to hold out, strictly between 0 and 1
   * @param seed         shuffling seed; the same seed and labels give the same split
   */
  public static Split holdOut(int[] y, double testFraction, long seed) {
    Objects.requireNonNull(y, "y");
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("testFraction must be in (0, 1), was " + testFraction);
    }
    List<int[]> byClass = shuffledRowsByClass(y, new Random(seed));
    boolean[] isTest = new boolean[y.length];
    int testCount = 0;
    for (int[] rows : byClass) {
      int n = rows.length;
      int nTest = (int) Math.round(testFraction * n);
      if (n >= 2) {
        nTest = Math.max(1, Math.min(n - 1, nTest));
      } else {
        nTest = 0;
      }
      for (int i = 0; i < nTest; i++) {
        isTest[rows[i]] = true;
      }
      testCount += nTest;
    }
    int[] train = new int[y.length - testCount];
    int[] test = new int[testCount];
    int a = 0;
    int b = 0;
    for (int i = 0; i < y.length; i++) {
      if (isTest[i]) {
        test[b++] = i;
      } else {
        train[a++] = i;
      }
    }
    return new Split(train, test);
  }

  /**
   * Assigns every row to one of k cross-validation folds, spreading each class evenly over the folds.
   *
   * <p>Each class's shuffled rows are dealt round-robin, and the dealer carries on where the previous class stopped, so
   * fold sizes differ by at most one row overall. A class with fewer than k rows is necessarily absent from some folds.
   *
   * @param y    class index per row (non-negative)
   * @param k    number of folds, 2..rows
   * @param seed shuffling seed
   * @return the fold index (0..k-1) of every row
   */
  public static int[] folds(int[] y, int k, long seed) {
    Objects.requireNonNull(y, "y");
    if (k < 2 || k > y.length) {
      throw new IllegalArgumentException("k must be in 2.." + y.length + " (the number of rows), was " + k);
    }
    int[] fold = new int[y.length];
    int next = 0;
    for (int[] rows : shuffledRowsByClass(y, new Random(seed))) {
      for (int row : rows) {
        fold[row] = next;
        next = (next + 1) % k;
      }
    }
    return fold;
  }

  /** Row positions grouped by class (in class order), each group shuffled with the one generator. */
  private static List<int[]> shuffledRowsByClass(int[] y, Random random) {
    int classes = 0;
    for (int label : y) {
      if (label < 0) {
        throw new IllegalArgumentException("class indices must be non-negative, found " + label);
      }
      classes = Math.max(classes, label + 1);
    }
    int[] counts = new int[classes];
    for (int label : y) {
      counts[label]++;
    }
    int[][] rows = new int[classes][];
    for (int c = 0; c < classes; c++) {
      rows[c] = new int[counts[c]];
    }
    int[] fill = new int[classes];
    for (int i = 0; i < y.length; i++) {
      rows[y[i]][fill[y[i]]++] = i;
    }
    List<int[]> result = new ArrayList<>(classes);
    for (int[] group : rows) {
      // Fisher-Yates on the primitive array: no boxing, and the draw sequence is pinned down by this code.
      for (int i = group.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = group[i];
        group[i] = group[j];
        group[j] = t;
      }
      result.add(group);
    }
    return result;
  }
}
