package io.medpipe.dataset;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A pseudonymised data set in memory: encoded feature rows, their class indices and what the columns mean.
 * It is what training and evaluation consume; it never holds identifiers.
 *
 * @param features column meaning, in column order
 * @param classes  class labels; {@code y[i]} indexes this list
 * @param x        one row per subject, NaN = missing
 * @param y        class index per row
 */
public record FeatureTable(List<Feature> features, List<String> classes, double[][] x, int[] y) {

  public FeatureTable {
    features = List.copyOf(features);
    classes = List.copyOf(classes);
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    if (x.length != y.length) {
      throw new IllegalArgumentException("x has " + x.length + " rows but y has " + y.length);
    }
    for (int i = 0; i < x.length; i++) {
      if (x[i].length != features.size()) {
        throw new IllegalArgumentException("row " + i + " has " + x[i].length + " values, expected " + features.size());
      }
      if (y[i] < 0 || y[i] >= classes.size()) {
        throw new IllegalArgumentException("row " + i + " has class index " + y[i]);
      }
    }
  }

  public int rows() {
    return y.length;
  }

  public int classIndex(String label) {
    int k = classes.indexOf(label);
    if (k < 0) {
      throw new IllegalArgumentException("unknown class " + label + "; classes are " + classes);
    }
    return k;
  }

  /** Rows per class, indexed like {@link #classes()}. */
  public int[] classCounts() {
    int[] counts = new int[classes.size()];
    for (int label : y) {
      counts[label]++;
    }
    return counts;
  }

  /** The rows at the given positions, in that order. */
  public FeatureTable subset(int[] rows) {
    double[][] sx = new double[rows.length][];
    int[] sy = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      sx[i] = x[rows[i]];
      sy[i] = y[rows[i]];
    }
    return new FeatureTable(features, classes, sx, sy);
  }

  @Override
  public String toString() {
    return "FeatureTable[" + rows() + " rows, " + features.size() + " features, classes " + classes
        + " " + Arrays.toString(classCounts()) + "]";
  }
}
