package io.medpipe.training.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Vector scaling: the optimum scipy finds, rows that still sum to 1, and tiny or absent classes without trouble. */
class VectorScalingTest {

  static final double[][] P = {{0.7, 0.2, 0.1}, {0.6, 0.3, 0.1}, {0.2, 0.5, 0.3}, {0.1, 0.8, 0.1}, {0.3, 0.3, 0.4},
      {0.05, 0.15, 0.8}, {0.9, 0.05, 0.05}, {0.4, 0.4, 0.2}, {0.2, 0.2, 0.6}, {0.5, 0.1, 0.4}, {0.0, 0.9, 0.1},
      {0.33, 0.33, 0.34}};
  static final int[] Y = {0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2};

  /** scipy.optimize.minimize (BFGS, gtol 1e-10) of the same penalised log-loss, ridge 1, floor 1e-6. */
  @Test
  void findsTheOptimumScipyFinds() {
    VectorScaling v = VectorScaling.fit(Y, P);
    double[] want = {1.45180081, 1.42038083, 1.30339777, -0.05863832, -0.01772213, 0.0763604};
    for (int c = 0; c < 3; c++) {
      assertThat(v.a()[c]).isCloseTo(want[c], within(1e-6));
      assertThat(v.b()[c]).isCloseTo(want[3 + c], within(1e-6));
    }
  }

  @Test
  void undoesAPriorShiftAndLowersTheBrierScore() {
    // a model trained on balanced classes: it overstates the rare class about five-fold in odds
    Random r = new Random(3);
    int n = 3000;
    int[] y = new int[n];
    double[][] p = new double[n][];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextDouble() < 0.05 ? 1 : 0;
      double score = 1 / (1 + Math.exp(-(r.nextGaussian() + (y[i] == 1 ? 1.5 : -1.5) + 1.6)));
      p[i] = new double[] {1 - score, score};
    }
    VectorScaling v = VectorScaling.fit(y, p);
    double before = 0;
    double after = 0;
    double mean = 0;
    for (int i = 0; i < n; i++) {
      double[] q = v.apply(p[i]);
      assertThat(q[0] + q[1]).isCloseTo(1, within(1e-12));
      before += Math.pow(p[i][1] - y[i], 2);
      after += Math.pow(q[1] - y[i], 2);
      mean += q[1] / n;
    }
    assertThat(after).isLessThan(before * 0.7);
    assertThat(mean).isCloseTo(Arrays.stream(y).average().orElseThrow(), within(0.01));
  }

  @Test
  void aClassWithoutRowsOrWithOneRowStaysNearTheIdentityAndNeverStopsTheFit() {
    double[][] p = new double[200][];
    int[] y = new int[200];
    Random r = new Random(5);
    for (int i = 0; i < 200; i++) {
      y[i] = i == 0 ? 2 : r.nextInt(2);
      double u = r.nextDouble();
      p[i] = new double[] {u * 0.9, (1 - u) * 0.9, 0.0, 0.1}; // class 2 never scored, class 3 never true
    }
    VectorScaling v = VectorScaling.fit(y, p);
    for (double[] row : p) {
      double[] q = v.apply(row);
      assertThat(Arrays.stream(q).sum()).isCloseTo(1, within(1e-12));
      assertThat(Arrays.stream(q).boxed().toList()).allSatisfy(x -> assertThat(x).isFinite().isBetween(0.0, 1.0));
    }
    assertThat(Arrays.stream(v.a()).boxed().toList()).allSatisfy(a -> assertThat(a).isFinite());
    assertThat(Arrays.stream(v.b()).boxed().toList()).allSatisfy(b -> assertThat(b).isFinite());
  }
}
