package io.medpipe.training.calibration;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's calibrated probabilities re-based from the prior they are calibrated to onto a new prior of one class:
 * the prior-shift adjustment of Saerens, Latinne and Decaestecker (2002, Neural Computation 14(1), eq. 2.4),
 * p'(c | x) proportional to p(c | x) pi'(c) / pi(c), with the target class moving from {@code fromPrior} to
 * {@code toPrior} and every other class keeping its share of the rest, pi'(c) / pi(c) = (1 - toPrior) /
 * (1 - fromPrior). For the target class against the rest this is exactly the intercept update the clinical literature
 * recommends when an outcome's rate changes (Janssen et al. 2008, J Clin Epidemiol 61(1)): its log-odds move by
 * logit(toPrior) - logit(fromPrior), its ranking of patients does not change.
 *
 * <p>Applied after the model's own calibration ({@code base}, null if it had none), so a recalibrated version is the
 * champion's artifact with one more step in its calibration: the same model type, loaded, served and explained like
 * any other. Own code: two multiplications and a normalisation, which no library offers as a calibration map.
 *
 * @param base      the calibration the probabilities had before (null: the algorithm's own probabilities)
 * @param cls       the class whose prior moves (the model's target class)
 * @param fromPrior the target class's prior the probabilities are calibrated to, in (0, 1)
 * @param toPrior   its new prior, in (0, 1)
 */
public record PriorShiftCalibration(ProbabilityCalibration base, int cls, double fromPrior, double toPrior)
    implements
      ProbabilityCalibration {

  private static final long serialVersionUID = 1L;

  public PriorShiftCalibration {
    if (cls < 0) {
      throw new IllegalArgumentException("a prior shift moves one class's prior; class " + cls + " is none");
    }
    if (!(fromPrior > 0 && fromPrior < 1) || !(toPrior > 0 && toPrior < 1)) {
      throw new IllegalArgumentException("priors must be strictly between 0 and 1, were " + fromPrior + " and "
          + toPrior);
    }
  }

  @Override
  public boolean covers(int classes) {
    return cls < classes && (base == null || base.covers(classes));
  }

  @Override
  public double[] apply(double[] proba) {
    double[] p = base == null ? proba : base.apply(proba);
    double target = toPrior / fromPrior;
    double rest = (1 - toPrior) / (1 - fromPrior);
    double[] out = new double[p.length];
    double norm = 0;
    for (int c = 0; c < p.length; c++) {
      out[c] = p[c] * (c == cls ? target : rest);
      norm += out[c];
    }
    if (!(norm > 0)) {
      return p;
    }
    for (int c = 0; c < p.length; c++) {
      out[c] /= norm;
    }
    return out;
  }

  @Override
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("method", "prior-shift");
    map.put("class", cls);
    map.put("fromPrior", fromPrior);
    map.put("toPrior", toPrior);
    map.put("interceptShift", logit(toPrior) - logit(fromPrior));
    map.put("base", base == null ? Map.of("method", "none") : base.asMap());
    return map;
  }

  private static double logit(double p) {
    return Math.log(p / (1 - p));
  }
}
