package io.medpipe.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BenjaminiHochbergTest {

  @Test
  void matchesScipyFalseDiscoveryControl() {
    // The 15 p-values of Benjamini and Hochberg (1995), section 4;
    // scipy.stats.false_discovery_control(p, method='bh') gives the expected values.
    double[] p = {0.010, 0.001, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269, 0.275,
        0.340};
    double[] expected = {0.075, 0.015, 0.126, 0.126, 0.126, 0.15, 0.15857142857142856, 0.29464285714285715,
        0.29464285714285715, 0.29464285714285715, 0.29464285714285715, 0.29464285714285715, 0.29464285714285715,
        0.29464285714285715, 0.34};
    double[] adjusted = BenjaminiHochberg.adjust(p);
    for (int i = 0; i < p.length; i++) {
      assertThat(adjusted[i]).as("p[%d]", i).isCloseTo(expected[i], within(1e-12));
    }
  }

  @Test
  void skipsTestsThatDidNotRunAndKeepsInputOrder() {
    double[] adjusted = BenjaminiHochberg.adjust(new double[] {0.04, Double.NaN, 0.01, 0.03});
    // m = 3: 0.01 * 3/1 = 0.03; 0.03 * 3/2 = 0.045; 0.04 * 3/3 = 0.04 -> monotone: 0.04
    assertThat(adjusted[0]).isCloseTo(0.04, within(1e-15));
    assertThat(adjusted[1]).isNaN();
    assertThat(adjusted[2]).isCloseTo(0.03, within(1e-15));
    assertThat(adjusted[3]).isCloseTo(0.04, within(1e-15));
  }

  @Test
  void neverExceedsOne() {
    double[] adjusted = BenjaminiHochberg.adjust(new double[] {0.9, 0.95, 0.99});
    // 0.9 * 3 = 2.7 and 0.95 * 3 / 2 = 1.425 are capped by the running minimum from the largest p down
    assertThat(adjusted).containsExactly(new double[] {0.99, 0.99, 0.99}, within(1e-12));
  }
}
