package io.medpipe.monitoring.drift;

/**
 * How a monitor run tests: significance level, minimum window, effect-size thresholds, prevalence and
 * domain-classifier settings. Validated on construction; an out-of-range value names its field.
 *
 * @param alpha                  significance level for Benjamini-Hochberg-adjusted p-values
 * @param minimumWindow          below this many predictions nothing is tested ("too few predictions")
 * @param wassersteinThreshold   default normed-Wasserstein threshold (Evidently's default 0.1: a tenth of the
 *                               reference's standard deviation)
 * @param jensenShannonThreshold default Jensen-Shannon distance threshold (base 2; Evidently's default 0.1)
 * @param cohenHThreshold        default Cohen's h threshold of a missing-rate change (0.2: Cohen's "small")
 * @param useLearnedBands        use the profile's learned bands (reference half-splits) where present
 * @param targetClass            the class whose prevalence and performance are followed; -1: the rarest class of
 *                               the reference
 * @param bootstrapReplicates    replicates of the prevalence interval
 * @param intervalLevel          confidence level of the prevalence interval
 * @param prevalenceFactor       a prevalence counts as shifted only if EM / training prior is at least this factor
 *                               (or at most its inverse) as well as significant (likelihood-ratio p below alpha)
 * @param domainClassifier       run the domain classifier (needs raw reference rows)
 * @param domainTrees            trees per domain forest
 * @param domainMaxNodes         leaves per domain tree
 * @param domainFolds            cross-validation folds of the domain classifier
 * @param domainRowsPerSide      rows drawn from each side at most (the subsampling rule)
 * @param domainAucThreshold     default AUC threshold when the profile has no learned one
 * @param seed                   seed of every random draw of the run
 */
public record DriftOptions(double alpha, int minimumWindow, double wassersteinThreshold,
                           double jensenShannonThreshold, double cohenHThreshold, boolean useLearnedBands,
                           int targetClass, int bootstrapReplicates, double intervalLevel, double prevalenceFactor,
                           boolean domainClassifier, int domainTrees, int domainMaxNodes, int domainFolds,
                           int domainRowsPerSide, double domainAucThreshold, long seed) {

  public DriftOptions {
    check(alpha > 0 && alpha < 1, "alpha", alpha);
    check(minimumWindow >= 2, "minimumWindow", minimumWindow);
    check(wassersteinThreshold >= 0, "wassersteinThreshold", wassersteinThreshold);
    check(jensenShannonThreshold >= 0 && jensenShannonThreshold <= 1, "jensenShannonThreshold",
        jensenShannonThreshold);
    check(cohenHThreshold >= 0, "cohenHThreshold", cohenHThreshold);
    check(targetClass >= -1, "targetClass", targetClass);
    check(bootstrapReplicates >= 20, "bootstrapReplicates", bootstrapReplicates);
    check(intervalLevel > 0.5 && intervalLevel < 1, "intervalLevel", intervalLevel);
    check(prevalenceFactor >= 1, "prevalenceFactor", prevalenceFactor);
    check(domainTrees >= 1, "domainTrees", domainTrees);
    check(domainMaxNodes >= 2, "domainMaxNodes", domainMaxNodes);
    check(domainFolds >= 2, "domainFolds", domainFolds);
    check(domainRowsPerSide >= domainFolds, "domainRowsPerSide", domainRowsPerSide);
    check(domainAucThreshold > 0.5 && domainAucThreshold < 1, "domainAucThreshold", domainAucThreshold);
  }

  private static void check(boolean ok, String field, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(field + " is out of range: " + value);
    }
  }

  /**
   * The defaults: alpha 0.05, at least 100 predictions, thresholds 0.1 / 0.1 / 0.2, learned bands used, rarest class,
   * 200 bootstrap replicates at 95%, prevalence factor 1.5, domain classifier with 50 trees of at most 32 leaves,
   * 3 folds, 1,500 rows per side, default AUC threshold 0.55, seed 42.
   */
  public static DriftOptions defaults() {
    return new DriftOptions(0.05, 100, 0.1, 0.1, 0.2, true, -1, 200, 0.95, 1.5, true, 50, 32, 3, 1500, 0.55, 42);
  }

  /** The same options with another minimum window. */
  public DriftOptions withMinimumWindow(int minimum) {
    return new DriftOptions(alpha, minimum, wassersteinThreshold, jensenShannonThreshold, cohenHThreshold,
        useLearnedBands, targetClass, bootstrapReplicates, intervalLevel, prevalenceFactor, domainClassifier,
        domainTrees, domainMaxNodes, domainFolds, domainRowsPerSide, domainAucThreshold, seed);
  }

  /** The same options with the domain classifier switched on or off. */
  public DriftOptions withDomainClassifier(boolean on) {
    return new DriftOptions(alpha, minimumWindow, wassersteinThreshold, jensenShannonThreshold, cohenHThreshold,
        useLearnedBands, targetClass, bootstrapReplicates, intervalLevel, prevalenceFactor, on,
        domainTrees, domainMaxNodes, domainFolds, domainRowsPerSide, domainAucThreshold, seed);
  }

  /** The same options with another bootstrap size. */
  public DriftOptions withBootstrapReplicates(int replicates) {
    return new DriftOptions(alpha, minimumWindow, wassersteinThreshold, jensenShannonThreshold, cohenHThreshold,
        useLearnedBands, targetClass, replicates, intervalLevel, prevalenceFactor, domainClassifier,
        domainTrees, domainMaxNodes, domainFolds, domainRowsPerSide, domainAucThreshold, seed);
  }

  /** The same options with another seed. */
  public DriftOptions withSeed(long newSeed) {
    return new DriftOptions(alpha, minimumWindow, wassersteinThreshold, jensenShannonThreshold, cohenHThreshold,
        useLearnedBands, targetClass, bootstrapReplicates, intervalLevel, prevalenceFactor, domainClassifier,
        domainTrees, domainMaxNodes, domainFolds, domainRowsPerSide, domainAucThreshold, newSeed);
  }

  DomainClassifier.Settings domainSettings() {
    return new DomainClassifier.Settings(domainTrees, domainMaxNodes, domainFolds, domainRowsPerSide, seed);
  }
}
