package io.medpipe.monitoring.drift;

import java.util.Arrays;
import java.util.SplittableRandom;
import smile.base.cart.SplitRule;
import smile.classification.RandomForest;
import smile.data.DataFrame;
import smile.data.formula.Formula;
import smile.data.vector.IntVector;

/**
 * Multivariate drift: a random forest learns to tell reference rows (label 0) from window rows (label 1); its
 * stratified k-fold cross-validated ROC-AUC is 0.5 when they cannot be told apart, and the features it splits on
 * most explain the difference, including shifts in how features go together that no per-feature test sees.
 *
 * <p><b>Subsampling rule:</b> each side contributes {@code min(reference rows, window rows, rowsPerSideCap)} rows
 * drawn without replacement with the seed, so the classes are balanced (AUC needs no weights) and the cost does not
 * grow with the window: 100,000 window rows cost what 2,000 do. The AUC threshold must be learned with the same
 * rows per side ({@link #learnThreshold}), since a smaller sample reaches a higher AUC by chance.
 *
 * <p>Missing values are replaced by a sentinel below every value of the feature, so the trees can split on
 * missingness and a missingness drift shows in the feature's importance. Categorical codes enter as numbers, which
 * is enough for trees to separate categories.
 */
final class DomainClassifier {

  /**
   * Forest settings: modest trees, enough to find a shift, cheap enough for the monitor's time budget.
   *
   * @param trees          trees per forest
   * @param maxNodes       leaves per tree at most
   * @param folds          cross-validation folds
   * @param rowsPerSideCap the most rows drawn from each side
   * @param seed           seed of the subsample, folds and trees
   */
  record Settings(int trees, int maxNodes, int folds, int rowsPerSideCap, long seed) {

    Settings {
      if (trees < 1 || maxNodes < 2 || folds < 2 || rowsPerSideCap < folds) {
        throw new IllegalArgumentException("domain classifier settings out of range: " + trees + " trees, "
            + maxNodes + " nodes, " + folds + " folds, " + rowsPerSideCap + " rows per side");
      }
    }
  }

  /** The cross-validated AUC, rows per side, and each feature's share of the forests' importance. */
  record Result(double auc, int rowsPerSide, double[] importanceShare) {
  }

  private DomainClassifier() {
  }

  /**
   * @param reference raw reference rows (NaN = missing)
   * @param window    raw window rows
   * @param names     feature names, in row order
   */
  static Result run(double[][] reference, double[][] window, String[] names, Settings settings) {
    SplittableRandom random = new SplittableRandom(settings.seed());
    int perSide = Math.min(Math.min(reference.length, window.length), settings.rowsPerSideCap());
    if (perSide < settings.folds()) {
      throw new IllegalArgumentException("too few rows for a " + settings.folds() + "-fold domain classifier: "
          + perSide + " per side");
    }
    int[] refRows = sample(reference.length, perSide, random);
    int[] winRows = sample(window.length, perSide, random);
    int p = names.length;
    double[][] x = new double[2 * perSide][];
    int[] y = new int[2 * perSide];
    for (int i = 0; i < perSide; i++) {
      x[i] = reference[refRows[i]];
      x[perSide + i] = window[winRows[i]];
      y[perSide + i] = 1;
    }
    x = withSentinels(x, p);
    // Stratified folds: each side's rows are already in random order, so fold = position mod k.
    int[] fold = new int[2 * perSide];
    for (int i = 0; i < perSide; i++) {
      fold[i] = i % settings.folds();
      fold[perSide + i] = i % settings.folds();
    }
    double[] score = new double[2 * perSide];
    double[] importance = new double[p];
    double[] posterior = new double[2];
    for (int f = 0; f < settings.folds(); f++) {
      int test = 0;
      for (int v : fold) {
        if (v == f) {
          test++;
        }
      }
      double[][] trainX = new double[2 * perSide - test][];
      int[] trainY = new int[trainX.length];
      int t = 0;
      for (int i = 0; i < x.length; i++) {
        if (fold[i] != f) {
          trainX[t] = x[i];
          trainY[t++] = y[i];
        }
      }
      RandomForest forest = fit(trainX, trainY, names, settings, random.nextLong());
      double[] foldImportance = forest.importance();
      for (int j = 0; j < p; j++) {
        importance[j] += foldImportance[j];
      }
      DataFrame held = DataFrame.of(heldOut(x, fold, f), names);
      int r = 0;
      for (int i = 0; i < x.length; i++) {
        if (fold[i] == f) {
          forest.predict(held.get(r++), posterior);
          score[i] = posterior[1];
        }
      }
    }
    double total = Arrays.stream(importance).sum();
    double[] share = Arrays.stream(importance).map(v -> total > 0 ? v / total : 0).toArray();
    return new Result(auc(score, y), perSide, share);
  }

  /**
   * The AUC a window of the reference's own population reaches by chance: the {@code quantile} of the AUCs of
   * {@code splits} random splits of the reference into two disjoint halves, each side
   * {@code min(rowsPerSide, n / 2)} rows.
   */
  static double learnThreshold(double[][] reference, String[] names, Settings settings, int rowsPerSide,
                               int splits, double quantile) {
    SplittableRandom random = new SplittableRandom(settings.seed() ^ 0x5DEECE66DL);
    int half = Math.min(rowsPerSide, reference.length / 2);
    double[] aucs = new double[splits];
    for (int s = 0; s < splits; s++) {
      int[] order = sample(reference.length, 2 * half, random);
      double[][] a = new double[half][];
      double[][] b = new double[half][];
      for (int i = 0; i < half; i++) {
        a[i] = reference[order[i]];
        b[i] = reference[order[half + i]];
      }
      Settings split = new Settings(settings.trees(), settings.maxNodes(), settings.folds(), half, random.nextLong());
      aucs[s] = run(a, b, names, split).auc();
    }
    Arrays.sort(aucs);
    return PriorShift.percentile(aucs, quantile);
  }

  private static RandomForest fit(double[][] x, int[] y, String[] names, Settings settings, long seed) {
    DataFrame data = DataFrame.of(x, names).merge(IntVector.of("domain", y));
    int mtry = Math.max(1, (int) Math.floor(Math.sqrt(names.length)));
    // One seed per tree (each > 1): Smile seeds a tree's generator only then, which makes the forest reproducible.
    return RandomForest.fit(Formula.lhs("domain"), data, settings.trees(), mtry, SplitRule.GINI, 20,
        settings.maxNodes(), 5, 1.0, new int[] {1, 1}, new SplittableRandom(seed).longs(2, Long.MAX_VALUE));
  }

  private static double[][] heldOut(double[][] x, int[] fold, int f) {
    return java.util.stream.IntStream.range(0, x.length).filter(i -> fold[i] == f).mapToObj(i -> x[i])
        .toArray(double[][]::new);
  }

  /** k distinct indices of [0, n) in random order (partial Fisher-Yates). */
  static int[] sample(int n, int k, SplittableRandom random) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      int swap = all[i];
      all[i] = all[j];
      all[j] = swap;
    }
    return Arrays.copyOf(all, k);
  }

  /** Copies rows with each missing value replaced by (column minimum - 1 - column range). */
  private static double[][] withSentinels(double[][] rows, int p) {
    double[] min = new double[p];
    double[] max = new double[p];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    for (double[] row : rows) {
      for (int j = 0; j < p; j++) {
        if (!Double.isNaN(row[j])) {
          min[j] = Math.min(min[j], row[j]);
          max[j] = Math.max(max[j], row[j]);
        }
      }
    }
    double[] sentinel = new double[p];
    for (int j = 0; j < p; j++) {
      sentinel[j] = Double.isInfinite(min[j]) ? -1 : min[j] - 1 - (max[j] - min[j]);
    }
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i].clone();
      for (int j = 0; j < p; j++) {
        if (Double.isNaN(out[i][j])) {
          out[i][j] = sentinel[j];
        }
      }
    }
    return out;
  }

  /**
   * ROC-AUC from ranks: the Mann-Whitney U of the positives' scores divided by n1 n0, ties counted half (midranks).
   * Own code, a dozen lines, so monitoring needs nothing from training's internals.
   *
   * @param score  higher means more likely positive
   * @param label  1 positive, 0 negative
   */
  static double auc(double[] score, int[] label) {
    int n = score.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
    double rankSumPositive = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
        j++;
      }
      double midrank = (i + j) / 2.0 + 1;
      for (int r = i; r <= j; r++) {
        if (label[order[r]] == 1) {
          rankSumPositive += midrank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
