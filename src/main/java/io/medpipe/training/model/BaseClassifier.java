package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What every model type shares whatever its algorithm: the features and classes, the options, the imputation, the
 * calibration applied after the algorithm's own probabilities, and the provenance. A model type adds its fitted
 * algorithm and says how it turns an imputed row into probabilities and explanations.
 */
abstract class BaseClassifier implements Classifier, Serializable {

  @Serial
  private static final long serialVersionUID = 1L;

  private final List<Feature> features;
  private final List<String> classes;
  private final TrainingOptions options;
  private final Imputer imputer;
  /** Maps the algorithm's probabilities back to the natural prevalence; null when uncalibrated. */
  private final ProbabilityCalibration calibration;
  private final ModelProvenance provenance;

  BaseClassifier(List<Feature> features, List<String> classes, TrainingOptions options, Imputer imputer,
                 ProbabilityCalibration calibration, ModelProvenance provenance) {
    this.features = List.copyOf(features);
    this.classes = List.copyOf(classes);
    this.options = options;
    this.imputer = imputer;
    this.calibration = calibration;
    this.provenance = provenance;
  }

  /** The algorithm's own class probabilities of an imputed row, before any calibration. */
  abstract double[] probabilities(double[] imputed);

  /** This model with another calibration and provenance, the fitted algorithm shared. */
  abstract BaseClassifier with(ProbabilityCalibration calibration, ModelProvenance provenance);

  @Override
  public final List<Feature> features() {
    return features;
  }

  @Override
  public final List<String> classes() {
    return classes;
  }

  @Override
  public final TrainingOptions options() {
    return options;
  }

  @Override
  public final ModelProvenance provenance() {
    return provenance;
  }

  @Override
  public final double[] predictProba(double[] row) {
    double[] proba = probabilities(imputer.imputeChecked(row));
    return calibration == null ? proba : calibration.apply(proba);
  }

  @Override
  public final Optional<ProbabilityCalibration> calibration() {
    return Optional.ofNullable(calibration);
  }

  @Override
  public final Classifier withCalibration(ProbabilityCalibration calibration, ModelProvenance.Calibration record) {
    if (calibration != null && (calibration.cls() < 0 || calibration.cls() >= classes.size())) {
      throw new IllegalArgumentException("calibration of class " + calibration.cls() + " outside 0.."
          + (classes.size() - 1));
    }
    ModelProvenance.Calibration recorded = record != null || calibration == null ? record
        : ModelProvenance.Calibration.fitted(calibration, null, null, null);
    return with(calibration, provenance.withCalibration(recorded));
  }

  @Override
  public final Classifier uncalibrated() {
    return calibration == null ? this : withCalibration(null, null);
  }

  @Override
  public final Classifier withRun(ModelProvenance.Run run) {
    return with(calibration, provenance.withRun(run));
  }

  final Imputer imputer() {
    return imputer;
  }

  /** A row from outside, checked for its width and imputed. */
  final double[] impute(double[] row) {
    return imputer.imputeChecked(row);
  }

  /** The feature names, in order. */
  final String[] names() {
    return features.stream().map(Feature::name).toArray(String[]::new);
  }

  /** Rejects a request to explain that cannot be answered: fewer than one contribution, or an unknown class. */
  final void checkExplainable(int cls, int topK) {
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be >= 1, was " + topK);
    }
    if (cls < 0 || cls >= classes.size()) {
      throw new IllegalArgumentException("class " + cls + " outside 0.." + (classes.size() - 1));
    }
  }

  /**
   * The {@code topK} largest contributions by absolute value; a stable sort, so equal magnitudes keep feature order
   * and explanations are reproducible.
   */
  final List<Explanation.Contribution> largest(double[] used, double[] shap, int topK) {
    List<Explanation.Contribution> all = new ArrayList<>(features.size());
    for (int j = 0; j < features.size(); j++) {
      all.add(new Explanation.Contribution(features.get(j).name(), used[j], shap[j]));
    }
    all.sort(Comparator.comparingDouble((Explanation.Contribution x) -> Math.abs(x.shap())).reversed());
    return all.subList(0, Math.min(topK, all.size()));
  }

  /**
   * Mean |SHAP| per feature over {@code rows}, summed over the classes, from a tree learner's global TreeSHAP of a data
   * frame ({@code p * k} values indexed {@code feature * k + class}).
   */
  final double[] meanAbsShap(double[][] rows, java.util.function.Function<smile.data.DataFrame, double[]> shapOf) {
    double[][] x = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      x[i] = impute(rows[i]);
    }
    double[] shap = shapOf.apply(smile.data.DataFrame.of(x, names()));
    int k = shap.length / features.size();
    double[] out = new double[features.size()];
    for (int j = 0; j < features.size(); j++) {
      for (int c = 0; c < k; c++) {
        out[j] += shap[j * k + c];
      }
    }
    return out;
  }

  /** "RANDOM_FOREST, 19 features, classes [DIE, LIVE]", the start of every model type's toString. */
  final String describe() {
    return options.algorithm() + ", " + features.size() + " features, classes " + classes;
  }
}
