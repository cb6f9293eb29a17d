package io.medpipe.training.calibration;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;

/**
 * A map from a model's class probabilities to calibrated ones, fitted on predictions of rows the model did not train
 * on, at the natural prevalence: of one class (one-vs-rest: {@link PlattCalibration}, {@link IsotonicCalibration}, the
 * other classes rescaled so each row still sums to 1), or of every class at once ({@link VectorScaling}).
 *
 * <p>Why: resampling and class weights train on a balanced world and overstate a rare class's probability
 * (van den Goorbergh et al., JAMIA 2022). A cost-matrix decision is Bayes-optimal only on calibrated probabilities,
 * and a clinician reads "risk 12%" as a risk, so the model serves calibrated probabilities.
 */
public sealed interface ProbabilityCalibration extends Serializable permits PlattCalibration, IsotonicCalibration,
    VectorScaling, PriorShiftCalibration {

  /** How to recalibrate; configured as {@code medpipe.training.calibration}. */
  enum Method {
    /** Serve the model's own probabilities. */
    NONE,
    /** Logistic regression on the logit (2 parameters): stable with a few dozen rare cases. */
    PLATT,
    /** Isotonic regression (pool adjacent violators): any monotone shape, but needs many cases to not overfit. */
    ISOTONIC,
    /** Vector scaling of every class (2 parameters per class, ridge towards the identity): the default. */
    VECTOR;

    public static Method parse(String name) {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** The class whose probability is recalibrated; -1 when every class is ({@link VectorScaling}). */
  int cls();

  /** Whether the map fits a model of this many classes. */
  default boolean covers(int classes) {
    return cls() >= 0 && cls() < classes;
  }

  /** The recalibrated probabilities of one row. */
  double[] apply(double[] proba);

  /** The method's name and fitted parameters, for provenance and the model card. */
  Map<String, Object> asMap();

  /**
   * Fits {@code method} on probabilities that no model saw the truth of (out-of-fold or held-out); null for
   * {@link Method#NONE}. {@code cls} is the class a one-vs-rest method calibrates; vector scaling calibrates all.
   *
   * @throws IllegalArgumentException if the method cannot be fitted (one outcome only, or a separable score for Platt)
   */
  static ProbabilityCalibration fit(Method method, int[] truth, double[][] proba, int cls) {
    return switch (method) {
      case NONE -> null;
      case PLATT -> PlattCalibration.fit(truth, proba, cls);
      case ISOTONIC -> IsotonicCalibration.fit(truth, proba, cls);
      case VECTOR -> VectorScaling.fit(truth, proba);
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
