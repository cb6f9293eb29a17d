package io.medpipe.monitoring.drift;

import io.medpipe.dataset.Feature;
import java.util.List;
import java.util.SplittableRandom;

/** Fixed and synthetic data shared by the drift tests. */
final class DriftFixtures {

  private DriftFixtures() {
  }

  /**
   * Knuth's MMIX linear congruential generator, u = top 53 bits / 2^53: the same doubles as lcg_uniform in
   * src/test/resources/monitoring/reference_values.py, so scipy's reference values need no data file.
   */
  static double[] lcgUniform(long seed, int n) {
    long s = seed;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      s = 6364136223846793005L * s + 1442695040888963407L;
      out[i] = (s >>> 11) * 0x1.0p-53;
    }
    return out;
  }

  /** Eight inputs of a synthetic cohort: five labs, a binary finding, a categorical site and a sometimes-missing lab. */
  static List<Feature> features() {
    return List.of(
        Feature.numeric("age", "years", 0, 110, true),
        Feature.numeric("creatinine", "umol/L", 10, 2000, true),
        Feature.numeric("hemoglobin", "g/dL", 3, 25, true),
        Feature.numeric("lyso_gb3", "nmol/L", 0, 500, false),
        Feature.numeric("crp", "mg/L", 0, 500, true),
        Feature.binary("neuropathic_pain", true),
        Feature.categorical("site", List.of("north", "south", "east", "west"), true),
        Feature.numeric("protein_urine", "mg/g", 0, 5000, false));
  }

  /** How a synthetic population deviates from the reference population. */
  record Shift(double creatinineScale, double lysoMissing, double[] siteFrequencies, double prevalence) {

    static Shift none() {
      return new Shift(1.0, 0.05, new double[] {0.4, 0.3, 0.2, 0.1}, 0.01);
    }

    Shift creatinine(double scale) {
      return new Shift(scale, lysoMissing, siteFrequencies, prevalence);
    }

    Shift lysoMissing(double rate) {
      return new Shift(creatinineScale, rate, siteFrequencies, prevalence);
    }

    Shift sites(double... frequencies) {
      return new Shift(creatinineScale, lysoMissing, frequencies, prevalence);
    }

    Shift prevalence(double p) {
      return new Shift(creatinineScale, lysoMissing, siteFrequencies, p);
    }
  }

  /** Rows, true labels (1 = rare disease), calibrated probabilities and the served decisions of a cohort. */
  record Cohort(double[][] rows, int[] truth, double[][] probabilities, int[] predicted) {

    Window window() {
      return new Window(rows, predicted, probabilities, null, null);
    }
  }

  /**
   * Draws a cohort. The disease score is a logistic model whose probabilities are exactly calibrated at prevalence
   * 1%: labels are drawn from them (reference prevalence), or, under a prevalence shift, from the same class-
   * conditional feature distributions with another prior (pure label shift, as EM and BBSE assume).
   */
  static Cohort cohort(int n, Shift shift, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] rows = new double[n][];
    int[] truth = new int[n];
    double[][] proba = new double[n][];
    int[] predicted = new int[n];
    for (int i = 0; i < n; i++) {
      int y = r.nextDouble() < shift.prevalence() ? 1 : 0;
      // class-conditional latent score: diseased rows score higher
      double latent = gaussian(r) + (y == 1 ? 2.5 : 0);
      double[] x = new double[8];
      x[0] = 30 + 50 * r.nextDouble();
      x[1] = shift.creatinineScale() * Math.exp(4.4 + 0.25 * gaussian(r) + 0.15 * latent);
      x[2] = 13.5 + 1.5 * gaussian(r);
      x[3] = r.nextDouble() < shift.lysoMissing() ? Double.NaN : Math.exp(1 + 0.6 * latent + 0.3 * gaussian(r));
      x[4] = Math.round(10 * Math.exp(1 + gaussian(r))) / 10.0;
      x[5] = r.nextDouble() < 0.1 + 0.3 * (y == 1 ? 1 : 0) ? 1 : 0;
      x[6] = pick(shift.siteFrequencies(), r.nextDouble());
      x[7] = r.nextDouble() < 0.3 ? Double.NaN : 100 + 40 * gaussian(r);
      rows[i] = x;
      truth[i] = y;
      // posterior of a Gaussian location model at prior 1%: exactly calibrated for the reference population
      double logOdds = Math.log(0.01 / 0.99) + 2.5 * latent - 2.5 * 2.5 / 2;
      double p1 = 1 / (1 + Math.exp(-logOdds));
      proba[i] = new double[] {1 - p1, p1};
      predicted[i] = p1 >= 0.2 ? 1 : 0;
    }
    return new Cohort(rows, truth, proba, predicted);
  }

  static ReferenceProfile profile(Cohort c) {
    return ReferenceProfile.builder(features(), List.of("healthy", "fabry")).rows(c.rows()).truth(c.truth())
        .predicted(c.predicted()).probabilities(c.probabilities()).trainingPrior(new double[] {0.99, 0.01}).build();
  }

  static double gaussian(SplittableRandom r) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static int pick(double[] frequencies, double u) {
    double cumulative = 0;
    for (int j = 0; j < frequencies.length; j++) {
      cumulative += frequencies[j];
      if (u < cumulative) {
        return j;
      }
    }
    return frequencies.length - 1;
  }
}
