package io.medpipe.training.model;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What each kind of error costs: {@code cost[truth][predicted]}, 0 on the diagonal. The decision is the class with
 * the least expected cost under the predicted probabilities (threshold moving), instead of the most probable class.
 *
 * <p>Why: missing a rare diagnosis delays treatment by years, a false alarm costs one confirmatory test. With a miss
 * cost m for the rare class and 1 elsewhere, a binary model flags the rare class as soon as p &gt; 1 / (1 + m).
 */
public final class CostMatrix implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  private final double[][] cost;

  public CostMatrix(double[][] cost) {
    Objects.requireNonNull(cost, "cost");
    int k = cost.length;
    if (k < 2) {
      throw new IllegalArgumentException("a cost matrix needs at least 2 classes");
    }
    this.cost = new double[k][];
    for (int i = 0; i < k; i++) {
      if (cost[i] == null || cost[i].length != k) {
        throw new IllegalArgumentException("the cost matrix must be " + k + " x " + k);
      }
      for (int j = 0; j < k; j++) {
        if (!(cost[i][j] >= 0) || Double.isInfinite(cost[i][j])) {
          throw new IllegalArgumentException(
              "costs must be finite and >= 0, cost[" + i + "][" + j + "] = " + cost[i][j]);
        }
        if (i == j && cost[i][j] != 0) {
          throw new IllegalArgumentException("a correct decision costs 0, cost[" + i + "][" + i + "] = " + cost[i][j]);
        }
      }
      this.cost[i] = cost[i].clone();
    }
  }

  /** Every error costs 1 except missing class {@code rare}, which costs {@code missCost}: the usual clinical matrix. */
  public static CostMatrix rareMiss(int k, int rare, double missCost) {
    if (rare < 0 || rare >= k) {
      throw new IllegalArgumentException("rare class index " + rare + " outside 0.." + (k - 1));
    }
    if (!(missCost >= 1)) {
      throw new IllegalArgumentException("the miss cost of the rare class must be >= 1, was " + missCost);
    }
    double[][] c = new double[k][k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        c[i][j] = i == j ? 0 : i == rare ? missCost : 1;
      }
    }
    return new CostMatrix(c);
  }

  public int classes() {
    return cost.length;
  }

  /** The class of least expected cost; the first one on ties. */
  public int decide(double[] proba) {
    int k = cost.length;
    if (proba.length != k) {
      throw new IllegalArgumentException("expected " + k + " probabilities, got " + proba.length);
    }
    int best = 0;
    double bestCost = Double.POSITIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      double expected = 0;
      for (int i = 0; i < k; i++) {
        expected += proba[i] * cost[i][j];
      }
      if (expected < bestCost) {
        bestCost = expected;
        best = j;
      }
    }
    return best;
  }

  /** The matrix as nested lists, for provenance and JSON. */
  public List<List<Double>> asList() {
    List<List<Double>> rows = new ArrayList<>();
    for (double[] row : cost) {
      rows.add(Arrays.stream(row).boxed().toList());
    }
    return rows;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CostMatrix other && Arrays.deepEquals(cost, other.cost);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(cost);
  }

  @Override
  public String toString() {
    return "CostMatrix" + Arrays.deepToString(cost);
  }
}
