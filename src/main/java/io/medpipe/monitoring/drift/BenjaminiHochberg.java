package io.medpipe.monitoring.drift;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Benjamini-Hochberg adjusted p-values, which control the false discovery rate across the features of one run.
 *
 * <p>Own code because commons-statistics has no multiple-testing correction and the step-up rule is ten lines:
 * sorted ascending, p_(i) is multiplied by m / i, and the running minimum from the largest p down keeps the adjusted
 * values monotone (scipy.stats.false_discovery_control(method='bh')). Under the complete null (nothing drifted) it
 * also bounds the chance of any false alarm by alpha.
 */
final class BenjaminiHochberg {

  private BenjaminiHochberg() {
  }

  /**
   * @param p raw p-values; NaN entries (tests not run) are skipped and stay NaN, and do not count in m
   * @return adjusted p-values in the input order
   */
  static double[] adjust(double[] p) {
    double[] adjusted = new double[p.length];
    Arrays.fill(adjusted, Double.NaN);
    Integer[] order = IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).boxed()
        .sorted(Comparator.comparingDouble(i -> p[i])).toArray(Integer[]::new);
    int m = order.length;
    double running = 1;
    for (int rank = m; rank >= 1; rank--) {
      int i = order[rank - 1];
      running = Math.min(running, p[i] * m / rank);
      adjusted[i] = running;
    }
    return adjusted;
  }
}
