package io.medpipe.training.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The prior-shift re-basing against values computed by hand with numpy (p * w / sum(p * w), w = pi'/pi per class:
 * 0.03 / 0.01 for the target, 0.97 / 0.99 for the others), the intercept form for two classes, and the base
 * calibration applied first.
 */
class PriorShiftCalibrationTest {

  static final double[][] ROWS = {{0.90, 0.08, 0.02}, {0.50, 0.45, 0.05}, {0.999, 0.0005, 0.0005}, {0.2, 0.7, 0.1}};
  /** numpy: P = rows; w = [0.97/0.99, 3, 0.97/0.99]; Q = P * w; Q /= Q.sum(1, keepdims=True). */
  static final double[][] NUMPY = {
      {0.772566371681416, 0.2102654867256637, 0.017168141592920353},
      {0.25935828877005346, 0.7147058823529412, 0.02593582887700535},
      {0.9979711637487126, 0.0015293511843460352, 0.0004994850669412977},
      {0.0818565400843882, 0.8772151898734177, 0.0409282700421941}};

  @Test
  void reBasesEachRowAsThePriorShiftFormula() {
    PriorShiftCalibration shift = new PriorShiftCalibration(null, 1, 0.01, 0.03);
    for (int i = 0; i < ROWS.length; i++) {
      double[] out = shift.apply(ROWS[i]);
      for (int c = 0; c < 3; c++) {
        assertThat(out[c]).as("row %d class %d", i, c).isCloseTo(NUMPY[i][c], within(1e-12));
      }
    }
  }

  /** Two classes: the target's log-odds move by logit(0.03) - logit(0.01), as numpy computed. */
  @Test
  void forTwoClassesItIsTheInterceptUpdate() {
    PriorShiftCalibration shift = new PriorShiftCalibration(null, 1, 0.01, 0.03);
    double[] p = {0.2, 0.05, 0.6};
    double[] numpy = {0.4335766423357665, 0.1387850467289719, 0.8211981566820276};
    for (int i = 0; i < p.length; i++) {
      assertThat(shift.apply(new double[] {1 - p[i], p[i]})[1]).isCloseTo(numpy[i], within(1e-12));
    }
    assertThat((Double) shift.asMap().get("interceptShift"))
        .isCloseTo(Math.log(0.03 / 0.97) - Math.log(0.01 / 0.99), within(1e-15));
  }

  @Test
  void theBaseCalibrationIsAppliedFirst() {
    PlattCalibration platt = new PlattCalibration(1, 0.8, -0.3);
    PriorShiftCalibration shift = new PriorShiftCalibration(platt, 1, 0.01, 0.03);
    PriorShiftCalibration alone = new PriorShiftCalibration(null, 1, 0.01, 0.03);
    for (double[] row : ROWS) {
      assertThat(shift.apply(row)).containsExactly(alone.apply(platt.apply(row)), within(1e-15));
    }
    assertThat(shift.covers(3)).isTrue();
    assertThat(new PriorShiftCalibration(new PlattCalibration(3, 1, 0), 1, 0.01, 0.03).covers(3)).isFalse();
  }

  @Test
  void theSamePriorChangesNothingAndSurvivesTheArtifactRoundTrip() throws Exception {
    PriorShiftCalibration same = new PriorShiftCalibration(null, 0, 0.2, 0.2);
    assertThat(same.apply(ROWS[1])).containsExactly(ROWS[1], within(1e-15));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PriorShiftCalibration shift = new PriorShiftCalibration(new PlattCalibration(1, 0.8, -0.3), 1, 0.01, 0.03);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(shift);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(shift);
    }
  }

  @Test
  void refusesPriorsOutsideTheOpenUnitInterval() {
    assertThatThrownBy(() -> new PriorShiftCalibration(null, 1, 0, 0.03)).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> new PriorShiftCalibration(null, 1, 0.01, 1)).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> new PriorShiftCalibration(null, -1, 0.01, 0.03)).isInstanceOf(
        IllegalArgumentException.class);
  }
}
