package io.medpipe.training.resampling;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The implementation of {@link Resampling} on complete (already imputed) rows. Smile has no SMOTE (STACK-NOTES 18);
 * the k-NN search is brute force within one class, which is cheap because only the classes being filled are searched
 * and those are the small ones.
 */
public final class Resampler {

  static final int SMOTE_NEIGHBOURS = 5;

  /**
   * Rows after resampling: original rows first (those kept), then {@code synthetic} generated ones.
   *
   * @param synthetic how many rows at the end were made up (SMOTE); 0 otherwise
   */
  public record Result(double[][] x, int[] y, int synthetic, String method) {
  }

  private Resampler() {
  }

  /** Rebalances complete (imputed) rows {@code x} with labels {@code y} in 0..k-1, seeded. */
  public static Result apply(Resampling resampling, List<Feature> features, double[][] x, int[] y, int k, long seed) {
    return switch (resampling) {
      case NONE -> new Result(x, y, 0, "none");
      case UNDERSAMPLE -> undersample(x, y, k, seed);
      case SMOTE -> smote(features, x, y, k, seed);
    };
  }

  private static int[][] rowsByClass(int[] y, int k) {
    int[] counts = new int[k];
    for (int label : y) {
      counts[label]++;
    }
    int[][] rows = new int[k][];
    for (int c = 0; c < k; c++) {
      rows[c] = new int[counts[c]];
    }
    int[] fill = new int[k];
    for (int i = 0; i < y.length; i++) {
      rows[y[i]][fill[y[i]]++] = i;
    }
    return rows;
  }

  static Result undersample(double[][] x, int[] y, int k, long seed) {
    int[][] rows = rowsByClass(y, k);
    int smallest = Arrays.stream(rows).mapToInt(r -> r.length).filter(n -> n > 0).min().orElse(0);
    SplittableRandom random = new SplittableRandom(seed);
    List<Integer> keep = new ArrayList<>();
    for (int[] group : rows) {
      int[] g = group.clone();
      for (int i = g.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = g[i];
        g[i] = g[j];
        g[j] = t;
      }
      for (int i = 0; i < Math.min(smallest, g.length); i++) {
        keep.add(g[i]);
      }
    }
    keep.sort(null);
    double[][] rx = new double[keep.size()][];
    int[] ry = new int[keep.size()];
    for (int i = 0; i < rx.length; i++) {
      rx[i] = x[keep.get(i)];
      ry[i] = y[keep.get(i)];
    }
    return new Result(rx, ry, 0, "random undersampling to " + smallest + " rows per class");
  }

  static Result smote(List<Feature> features, double[][] x, int[] y, int k, long seed) {
    int p = features.size();
    boolean[] nominal = new boolean[p];
    boolean anyNominal = false;
    for (int j = 0; j < p; j++) {
      nominal[j] = features.get(j).type() != FeatureType.NUMERIC;
      anyNominal |= nominal[j];
    }
    int[][] rows = rowsByClass(y, k);
    int largest = Arrays.stream(rows).mapToInt(r -> r.length).max().orElse(0);
    SplittableRandom random = new SplittableRandom(seed);
    List<double[]> newX = new ArrayList<>(Arrays.asList(x));
    List<Integer> newY = new ArrayList<>();
    for (int label : y) {
      newY.add(label);
    }
    int synthetic = 0;
    List<String> alone = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      int[] group = rows[c];
      int need = largest - group.length;
      if (need <= 0 || group.length == 0) {
        continue;
      }
      if (group.length == 1) {
        // one row has no neighbour to interpolate towards: copying it thousands of times would only teach the trees
        // that single point (imbalanced-learn refuses such a class; its peers leave it alone, and so does this)
        alone.add(String.valueOf(c));
        continue;
      }
      int kn = Math.min(SMOTE_NEIGHBOURS, group.length - 1);
      double penalty = anyNominal ? medianNumericStd(x, group, nominal) : 0;
      int[][] neighbours = new int[group.length][];
      for (int a = 0; a < group.length; a++) {
        neighbours[a] = nearest(x, group, a, kn, nominal, penalty);
      }
      for (int s = 0; s < need; s++) {
        int a = random.nextInt(group.length);
        double[] base = x[group[a]];
        double[] row = base.clone();
        if (kn > 0) {
          double[] other = x[neighbours[a][random.nextInt(kn)]];
          double gap = random.nextDouble();
          for (int j = 0; j < p; j++) {
            if (nominal[j]) {
              row[j] = mostFrequent(x, neighbours[a], j, base[j]);
            } else {
              row[j] = base[j] + gap * (other[j] - base[j]);
            }
          }
        }
        newX.add(row);
        newY.add(c);
        synthetic++;
      }
    }
    return new Result(newX.toArray(double[][]::new), newY.stream().mapToInt(Integer::intValue).toArray(), synthetic,
        (anyNominal ? "SMOTE-NC" : "SMOTE") + " (k=" + SMOTE_NEIGHBOURS + ") up to " + largest + " rows per class"
            + (alone.isEmpty() ? "" : "; class index " + String.join(", ", alone) + " left as it is: a class of one "
                + "training row has no neighbour to interpolate towards"));
  }

  /** Row indices (into x) of the kn nearest other rows of the group, nearest first, ties by position. */
  private static int[] nearest(double[][] x, int[] group, int a, int kn, boolean[] nominal, double penalty) {
    Integer[] order = new Integer[group.length - 1];
    double[] dist = new double[group.length];
    int m = 0;
    for (int b = 0; b < group.length; b++) {
      if (b == a) {
        continue;
      }
      double d = 0;
      double[] u = x[group[a]];
      double[] v = x[group[b]];
      for (int j = 0; j < u.length; j++) {
        if (nominal[j]) {
          d += u[j] == v[j] ? 0 : penalty * penalty;
        } else {
          d += (u[j] - v[j]) * (u[j] - v[j]);
        }
      }
      dist[b] = d;
      order[m++] = b;
    }
    Arrays.sort(order, (i, j) -> Double.compare(dist[i], dist[j]));
    int[] out = new int[kn];
    for (int i = 0; i < kn; i++) {
      out[i] = group[order[i]];
    }
    return out;
  }

  private static double medianNumericStd(double[][] x, int[] group, boolean[] nominal) {
    List<Double> stds = new ArrayList<>();
    for (int j = 0; j < nominal.length; j++) {
      if (nominal[j]) {
        continue;
      }
      double mean = 0;
      for (int r : group) {
        mean += x[r][j] / group.length;
      }
      double var = 0;
      for (int r : group) {
        var += (x[r][j] - mean) * (x[r][j] - mean) / group.length;
      }
      stds.add(Math.sqrt(var));
    }
    if (stds.isEmpty()) {
      return 1; // only categories: every difference counts 1
    }
    stds.sort(null);
    int n = stds.size();
    return n % 2 == 1 ? stds.get(n / 2) : (stds.get(n / 2 - 1) + stds.get(n / 2)) / 2;
  }

  /** The most frequent value of column j among the rows; the base row's own value wins ties, then the smallest. */
  private static double mostFrequent(double[][] x, int[] rows, int j, double own) {
    double best = own;
    int bestCount = 0;
    for (int r : rows) {
      if (x[r][j] == own) {
        bestCount++;
      }
    }
    for (int r : rows) {
      double v = x[r][j];
      int count = 0;
      for (int s : rows) {
        if (x[s][j] == v) {
          count++;
        }
      }
      if (count > bestCount || (count == bestCount && v != own && bestCount == 0 && v < best)) {
        best = v;
        bestCount = count;
      }
    }
    return best;
  }
}
