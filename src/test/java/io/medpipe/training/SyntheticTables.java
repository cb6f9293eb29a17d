package io.medpipe.training;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic training tables shared by the model tests and the explanation benchmark. */
public final class SyntheticTables {

  /** Columns of {@link #rareLabs}. */
  public static final int P = 20;

  private SyntheticTables() {
  }

  /**
   * n synthetic subjects, ~6% "rare": features 0-4 are shifted for the rare class, the rest is noise; one binary
   * and one categorical feature, 5% missing numeric values. Weak enough that an unweighted forest rarely predicts
   * the rare class.
   */
  public static FeatureTable rareLabs(int n, long seed) {
    Random r = new Random(seed);
    List<Feature> features = new ArrayList<>();
    for (int j = 0; j < P - 2; j++) {
      features.add(Feature.numeric("lab_" + j, "u", -10, 10, false));
    }
    features.add(Feature.binary("finding", false));
    features.add(Feature.categorical("site", List.of("a", "b", "c"), false));
    double[][] x = new double[n][P];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextDouble() < 0.06 ? 1 : 0;
      for (int j = 0; j < P - 2; j++) {
        double shift = y[i] == 1 && j < 5 ? 0.8 : 0;
        x[i][j] = r.nextDouble() < 0.05 ? Double.NaN : r.nextGaussian() + shift;
      }
      x[i][P - 2] = r.nextDouble() < (y[i] == 1 ? 0.5 : 0.2) ? 1 : 0;
      x[i][P - 1] = r.nextInt(3);
    }
    return new FeatureTable(features, List.of("common", "rare"), x, y);
  }

  /**
   * n subjects with p standard-normal numeric columns named {@code prefix + j}, a share {@code prevalence} "rare",
   * whose first {@code shiftedColumns} columns are shifted by {@code shift} (no missing values).
   */
  public static FeatureTable shifted(int n, int p, double prevalence, double shift, int shiftedColumns,
                                     String prefix, long seed) {
    Random r = new Random(seed);
    List<Feature> features = new ArrayList<>();
    for (int j = 0; j < p; j++) {
      features.add(Feature.numeric(prefix + j, "u", -10, 10, false));
    }
    double[][] x = new double[n][p];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextDouble() < prevalence ? 1 : 0;
      for (int j = 0; j < p; j++) {
        x[i][j] = r.nextGaussian() + (y[i] == 1 && j < shiftedColumns ? shift : 0);
      }
    }
    return new FeatureTable(features, List.of("common", "rare"), x, y);
  }

  /**
   * A many-class table of given class sizes: {@code p} numeric features, each class shifted by {@code separation}
   * along two features of its own (classes beyond p/2 share them), 5% missing values, one binary and one categorical
   * column of noise. For tiny-class and multi-class tests: a class of 1 or 2 rows is as easy to place as any other.
   */
  public static FeatureTable classes(int[] counts, int p, double separation, long seed) {
    Random r = new Random(seed);
    List<Feature> features = new ArrayList<>();
    for (int j = 0; j < p - 2; j++) {
      features.add(Feature.numeric("x_" + j, "u", -50, 50, false));
    }
    features.add(Feature.binary("flag", false));
    features.add(Feature.categorical("group", List.of("a", "b", "c"), false));
    int n = java.util.Arrays.stream(counts).sum();
    double[][] x = new double[n][p];
    int[] y = new int[n];
    int i = 0;
    for (int c = 0; c < counts.length; c++) {
      for (int m = 0; m < counts[c]; m++, i++) {
        y[i] = c;
        for (int j = 0; j < p - 2; j++) {
          boolean own = c > 0 && (j == (2 * c) % (p - 2) || j == (2 * c + 1) % (p - 2));
          x[i][j] = r.nextDouble() < 0.05 ? Double.NaN : r.nextGaussian() + (own ? separation : 0);
        }
        x[i][p - 2] = r.nextInt(2);
        x[i][p - 1] = r.nextInt(3);
      }
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      names.add("class_" + c);
    }
    return new FeatureTable(features, names, x, y);
  }
}
