package io.medpipe.monitoring;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.monitoring.drift.DriftOptions;
import io.medpipe.monitoring.drift.ReferenceBands;
import io.medpipe.monitoring.drift.ReferenceProfile;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.Explanation;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.springframework.stereotype.Component;

/**
 * Computes a model version's {@link ReferenceProfile} at registration: on the held-out evaluation rows (never the
 * training rows), with the model's calibrated probabilities and served decisions, the prior they imply, the mean |SHAP|
 * of explanations as serving logs them, and the thresholds learned from the held-out rows against themselves
 * ({@link ReferenceBands}). Only the {@link Classifier} interface is used, so any model type is profiled alike.
 */
@Component
public class ReferenceProfiler implements io.medpipe.registry.VersionProfiler {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ReferenceProfiler.class);

  private final MonitoringProperties settings;
  private final int topFeatures;

  public ReferenceProfiler(MonitoringProperties settings,
                           @org.springframework.beans.factory.annotation.Value("${medpipe.serving.top-features:5}") int topFeatures) {
    this.settings = settings;
    this.topFeatures = topFeatures;
  }

  @Override
  public String profileJson(Classifier model, FeatureTable heldOut) {
    return profile(model, heldOut).toCanonicalJson();
  }

  /**
   * The profile of {@code model} on its held-out rows.
   *
   * @param model   the version's model
   * @param heldOut the rows the version was evaluated on
   */
  public ReferenceProfile profile(Classifier model, FeatureTable heldOut) {
    long start = System.nanoTime();
    if (!heldOut.classes().equals(model.classes())) {
      throw new IllegalArgumentException("the held-out rows' classes " + heldOut.classes() + " are not the model's "
          + model.classes());
    }
    int n = heldOut.rows();
    double[][] probabilities = new double[n][];
    int[] decided = new int[n];
    for (int i = 0; i < n; i++) {
      probabilities[i] = model.predictProba(heldOut.x()[i]);
      decided[i] = model.decide(probabilities[i]);
    }
    // the prior prevalence is judged against: the mean calibrated probability on the held-out rows (the builder's
    // default), i.e. the prior the model's probabilities really imply. The training set's class shares would be
    // the right figure only for a perfectly calibrated model; a model whose calibrated probabilities average half
    // the training prevalence made EM report a halved prevalence on a window of the same population (measured:
    // ratio 0.55, flagged, in MonitorScenarioTest's no-drift window).
    ReferenceProfile profile = ReferenceProfile.builder(model.features(), model.classes()).rows(heldOut.x())
        .truth(heldOut.y()).predicted(decided).probabilities(probabilities).build();
    long built = System.nanoTime();
    List<Double> shap = meanAbsShap(model, heldOut.x(), decided);
    long explained = System.nanoTime();
    if (!shap.isEmpty()) {
      profile = new ReferenceProfile(profile.formatVersion(), profile.rows(), profile.classes(),
          profile.classCounts(), profile.trainingPrior(), profile.features(), profile.probabilities(),
          profile.confusion(), shap, null);
    }
    DriftOptions options = settings.driftOptions();
    ReferenceProfile learned = ReferenceBands.learn(profile, heldOut.x(), options);
    log.info("Reference profile of {} held-out rows in {} s (profile {} s, explanations {} s, bands {} s)", n,
        seconds(System.nanoTime() - start), seconds(built - start), seconds(explained - built),
        seconds(System.nanoTime() - explained));
    return learned;
  }

  /**
   * Mean |SHAP| per feature of the decided class's explanation, as serving logs it: only its {@code topFeatures}
   * largest contributions, the others counting 0. The monitor reads the window's explanations from the prediction
   * log, which keeps only those; truncating the reference the same way keeps the two sides comparable. Computed on
   * at most {@code profileShapRows} seeded rows, because an exact explanation costs about a millisecond per row.
   */
  private List<Double> meanAbsShap(Classifier model, double[][] rows, int[] decided) {
    int count = Math.min(rows.length, settings.profileShapRows());
    if (!model.explainable() || count == 0) {
      return List.of();
    }
    List<Feature> features = model.features();
    int[] order = new SplittableRandom(settings.seed()).ints(0, Integer.MAX_VALUE).limit(rows.length).toArray();
    Integer[] index = new Integer[rows.length];
    for (int i = 0; i < rows.length; i++) {
      index[i] = i;
    }
    Arrays.sort(index, (a, b) -> Integer.compare(order[a], order[b]));
    double[] sums = new double[features.size()];
    for (int s = 0; s < count; s++) {
      int i = index[s];
      Explanation why = model.explain(rows[i], decided[i], topFeatures);
      for (Explanation.Contribution c : why.top()) {
        sums[indexOf(features, c.feature())] += Math.abs(c.shap());
      }
    }
    return Arrays.stream(sums).map(v -> v / count).boxed().toList();
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
  }

  static int indexOf(List<Feature> features, String name) {
    for (int j = 0; j < features.size(); j++) {
      if (features.get(j).name().equals(name)) {
        return j;
      }
    }
    throw new IllegalArgumentException("an explanation names a feature the model does not have: " + name);
  }

  /** How many contributions serving logs per explanation (medpipe.serving.top-features). */
  int topFeatures() {
    return topFeatures;
  }
}
