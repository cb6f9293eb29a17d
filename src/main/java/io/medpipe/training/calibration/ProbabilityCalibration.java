package io.medpipe.training.calibration;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;

/**
 * A map from a model's class probabilities to calibrated ones for one class (one-vs-rest), fitted on predictions of
 * rows the model did not train on, at the natural prevalence; the other classes are rescaled so each row still sums
 * to 1.
 *
 * <p>Why: resampling and class weights train on a balanced world and overstate a rare class's probability
 * (van den Goorbergh et al., JAMIA 2022). A cost-matrix decision is Bayes-optimal only on calibrated probabilities,
 * and a clinician reads "risk 12%" as a risk, so the model serves calibrated probabilities.
 */
public sealed interface ProbabilityCalibration extends Serializable permits PlattCalibration, IsotonicCalibration {

  /** How to recalibrate; configured as {@code medpipe.training.calibration}. */
  enum Method {
    /** Serve the model's own probabilities. */
    NONE,
    /** Logistic regression on the logit (2 parameters): stable with a few dozen rare cases. */
    PLATT,
    /** Isotonic regression (pool adjacent violators): any monotone shape, but needs many cases to not overfit. */
    ISOTONIC;

    public static Method parse(String name) {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** The class whose probability is recalibrated. */
  int cls();

  /** The recalibrated probabilities of one row. */
  double[] apply(double[] proba);

  /** The method's name and fitted parameters, for provenance and the model card. */
  Map<String, Object> asMap();

  /**
   * Fits {@code method} on probabilities that no model saw the truth of (out-of-fold or held-out); null for
   * {@link Method#NONE}.
   *
   * @throws IllegalArgumentException if the method cannot be fitted (one outcome only, or a separable score for Platt)
   */
  static ProbabilityCalibration fit(Method method, int[] truth, double[][] proba, int cls) {
    return switch (method) {
      case NONE -> null;
      case PLATT -> PlattCalibration.fit(truth, proba, cls);
      case ISOTONIC -> IsotonicCalibration.fit(truth, proba, cls);
    };
  }

  /** {@code proba} with class {@code cls} set to {@code calibrated} and the other classes scaled to fill the rest. */
  static double[] replace(double[] proba, int cls, double calibrated) {
    double rest = 1 - proba[cls];
    double[] out = new double[proba.length];
    for (int c = 0; c < proba.length; c++) {
      if (c == cls) {
        out[c] = calibrated;
      } else {
        out[c] = rest > 0 ? proba[c] / rest * (1 - calibrated) : (1 - calibrated) / (proba.length - 1);
      }
    }
    return out;
  }
}
