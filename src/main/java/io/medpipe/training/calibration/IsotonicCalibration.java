package io.medpipe.training.calibration;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Isotonic recalibration of one class's probability (Zadrozny and Elkan 2002): the non-decreasing step function of
 * the score that best fits the outcomes in squared error, by pool-adjacent-violators; between two steps the value is
 * interpolated linearly, beyond the fitted range it is the end step's.
 *
 * <p>Isotonic regression has as many parameters as steps; with a few dozen rare cases it overfits where Platt scaling
 * does not (Niculescu-Mizil and Caruana 2005), which is why Platt is the default.
 *
 * @param cls   the class whose probability is recalibrated
 * @param lower per step, the smallest score it covers (increasing)
 * @param upper per step, the largest score it covers
 * @param value per step, the calibrated probability (non-decreasing)
 */
public record IsotonicCalibration(int cls, double[] lower, double[] upper, double[] value)
    implements
      ProbabilityCalibration {

  public IsotonicCalibration {
    if (lower.length == 0 || lower.length != upper.length || lower.length != value.length) {
      throw new IllegalArgumentException("an isotonic map needs at least one step and equal lengths");
    }
    lower = lower.clone();
    upper = upper.clone();
    value = value.clone();
  }

  /** Fits on probabilities that no model saw the truth of (out-of-fold or held-out). */
  public static IsotonicCalibration fit(int[] truth, double[][] proba, int cls) {
    int n = truth.length;
    if (n == 0) {
      throw new IllegalArgumentException("cannot fit isotonic calibration on no rows");
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(proba[a][cls], proba[b][cls]));
    // blocks of equal scores first (a tie cannot be split), then pool adjacent violators
    double[] lo = new double[n];
    double[] hi = new double[n];
    double[] sum = new double[n];
    int[] count = new int[n];
    int blocks = 0;
    for (int r = 0; r < n; r++) {
      double s = proba[order[r]][cls];
      double y = truth[order[r]] == cls ? 1 : 0;
      if (blocks > 0 && hi[blocks - 1] == s) {
        sum[blocks - 1] += y;
        count[blocks - 1]++;
      } else {
        lo[blocks] = s;
        hi[blocks] = s;
        sum[blocks] = y;
        count[blocks] = 1;
        blocks++;
      }
      while (blocks > 1 && sum[blocks - 2] / count[blocks - 2] >= sum[blocks - 1] / count[blocks - 1]) {
        hi[blocks - 2] = hi[blocks - 1];
        sum[blocks - 2] += sum[blocks - 1];
        count[blocks - 2] += count[blocks - 1];
        blocks--;
      }
    }
    double[] value = new double[blocks];
    for (int b = 0; b < blocks; b++) {
      value[b] = sum[b] / count[b];
    }
    return new IsotonicCalibration(cls, Arrays.copyOf(lo, blocks), Arrays.copyOf(hi, blocks), value);
  }

  @Override
  public double[] apply(double[] proba) {
    double s = proba[cls];
    int last = value.length - 1;
    double calibrated;
    if (s <= upper[0]) {
      calibrated = value[0];
    } else if (s >= lower[last]) {
      calibrated = value[last];
    } else {
      int b = 0;
      while (upper[b + 1] < s) {
        b++;
      }
      // s lies in step b + 1, or between steps b and b + 1
      calibrated = s >= lower[b + 1] ? value[b + 1]
          : value[b] + (value[b + 1] - value[b]) * (s - upper[b]) / (lower[b + 1] - upper[b]);
    }
    return ProbabilityCalibration.replace(proba, cls, calibrated);
  }

  @Override
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("method", "isotonic");
    map.put("class", cls);
    map.put("steps", value.length);
    map.put("lower", Arrays.stream(lower).boxed().toList());
    map.put("upper", Arrays.stream(upper).boxed().toList());
    map.put("value", Arrays.stream(value).boxed().toList());
    return map;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IsotonicCalibration other && cls == other.cls && Arrays.equals(lower, other.lower)
        && Arrays.equals(upper, other.upper) && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * cls + Arrays.hashCode(lower)) + Arrays.hashCode(upper)) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "IsotonicCalibration[class " + cls + ", " + value.length + " steps]";
  }
}
