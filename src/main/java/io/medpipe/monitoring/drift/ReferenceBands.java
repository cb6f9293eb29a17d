package io.medpipe.monitoring.drift;

import io.medpipe.dataset.Feature;
import io.medpipe.monitoring.drift.ReferenceProfile.FeatureBand;
import io.medpipe.monitoring.drift.ReferenceProfile.LearnedThresholds;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Learns drift thresholds from the reference itself: how large an effect, or a domain-classifier AUC, two halves of
 * the same population reach by chance. A window must go beyond that band to count as drifted, so a threshold
 * follows each feature's own noise (a lab with a long tail gets a wider band than a tidy one) instead of one
 * number for all.
 *
 * <p>A half-split compares n/2 with n/2 rows; a window of m rows against the whole reference of n is noisier only if
 * m is below about n/3 (the effect's sampling spread goes with sqrt(1/n + 1/m) against sqrt(4/n)). With 50 splits
 * the 0.99 quantile is close to the largest split effect.
 */
public final class ReferenceBands {

  /** Default number of random half-splits. */
  public static final int DEFAULT_SPLITS = 50;
  /** Default quantile of the split effects. */
  public static final double DEFAULT_QUANTILE = 0.99;
  /** Default splits of the domain classifier's AUC band (each costs one cross-validated forest). */
  public static final int DEFAULT_DOMAIN_SPLITS = 20;
  /** Default quantile of the domain AUCs. */
  public static final double DEFAULT_DOMAIN_QUANTILE = 0.95;

  private ReferenceBands() {
  }

  /**
   * Effect bands of every feature over random half-splits of the raw reference rows.
   *
   * @param features the model inputs, in row order
   * @param rows     raw reference rows (the rows the profile was built from), at least 4
   * @param splits   random half-splits, at least 10
   * @param quantile quantile of the split effects, in (0.5, 1]
   * @param seed     seed of the splits
   */
  public static Map<String, FeatureBand> effects(List<Feature> features, double[][] rows, int splits,
                                                 double quantile, long seed) {
    if (rows.length < 4) {
      throw new IllegalArgumentException("rows: at least 4 reference rows are needed to learn bands");
    }
    if (splits < 10) {
      throw new IllegalArgumentException("splits: at least 10, was " + splits);
    }
    if (!(quantile > 0.5 && quantile <= 1)) {
      throw new IllegalArgumentException("quantile is out of range: " + quantile);
    }
    int p = features.size();
    int half = rows.length / 2;
    double[][] distribution = new double[p][splits];
    double[][] missingness = new double[p][splits];
    SplittableRandom random = new SplittableRandom(seed);
    double[] a = new double[half];
    double[] b = new double[half];
    for (int s = 0; s < splits; s++) {
      int[] order = DomainClassifier.sample(rows.length, 2 * half, random);
      for (int f = 0; f < p; f++) {
        for (int i = 0; i < half; i++) {
          a[i] = rows[order[i]][f];
          b[i] = rows[order[half + i]][f];
        }
        double[] e = FeatureTests.effects(features.get(f), a, b);
        distribution[f][s] = e[0];
        missingness[f][s] = e[1];
      }
    }
    Map<String, FeatureBand> bands = new LinkedHashMap<>();
    for (int f = 0; f < p; f++) {
      bands.put(features.get(f).name(), new FeatureBand(quantileOf(distribution[f], quantile),
          quantileOf(missingness[f], quantile)));
    }
    return bands;
  }

  /**
   * Learns effect bands and the domain classifier's AUC band and returns the profile with them attached.
   *
   * @param profile the profile built from {@code rows}
   * @param rows    its raw reference rows
   * @param options the options the monitor will run with (domain classifier settings, seed)
   */
  public static ReferenceProfile learn(ReferenceProfile profile, double[][] rows, DriftOptions options) {
    List<Feature> features = profile.featureList();
    Map<String, FeatureBand> bands = effects(features, rows, DEFAULT_SPLITS, DEFAULT_QUANTILE, options.seed());
    Double auc = null;
    if (options.domainClassifier()) {
      String[] names = features.stream().map(Feature::name).toArray(String[]::new);
      auc = DomainClassifier.learnThreshold(rows, names, options.domainSettings(), options.domainRowsPerSide(),
          DEFAULT_DOMAIN_SPLITS, DEFAULT_DOMAIN_QUANTILE);
    }
    return profile.withThresholds(new LearnedThresholds(DEFAULT_SPLITS, DEFAULT_QUANTILE, options.seed(), bands,
        auc));
  }

  /** The quantile of the finite values (NaN if none); an infinite effect (constant reference) counts as large. */
  private static double quantileOf(double[] values, double q) {
    double[] finite = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (finite.length == 0) {
      return Double.NaN;
    }
    return PriorShift.percentile(finite, q);
  }
}
