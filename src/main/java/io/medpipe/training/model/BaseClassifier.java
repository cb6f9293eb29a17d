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

  @Serial private static final long serialVersionUID = 1L;

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
    if (calibration != null && !calibration.covers(classes.size())) {
      throw new IllegalArgumentException("calibration of class " + calibration.cls() + " does not fit a model of "
          + classes.size() + " classes");
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

  /**
   * An explanation of class {@code cls} on the scale of the probability the model returns, from exact contributions
   * on the algorithm's own scale (a boosting margin, or a forest's probability before calibration), mapped
   * proportionally: every feature keeps its sign and its share of the change, and
   * {@code baseProbability[cls] + sum(contributions) = probability[cls]} exactly (up to rounding).
   *
   * <p>Why proportional: the map from the algorithm's scale to the returned probability (softmax of the margins, then
   * the calibration) is monotone in the explained class's own score but couples the classes, so no exact additive
   * attribution on the probability scale follows from TreeSHAP; scaling the exact attribution by the ratio of the two
   * changes is the one that keeps each feature's share. It is meaningful only where the returned probability moved
   * the same way as the own score (in about 1.4% of rows it moved the other way, pushed by the other classes): there
   * the explanation stays on the own scale, and its scale says so.
   *
   * @param own             the contributions of class {@code cls} on the own scale, every feature
   * @param ownBase         the expected own score of the class
   * @param ownOutput       the row's own score of the class ({@code ownBase + sum(own)})
   * @param baseProbability the returned probabilities for the expected own scores (every class)
   * @param probability     the returned probabilities of the row
   * @param returnedScale   the words for the mapped scale
   * @param ownScale        the words for the own scale, used when the mapping does not hold
   */
  final Explanation onReturnedScale(int cls, double[] used, double[] own, double ownBase, double ownOutput,
                                    double[] baseProbability, double[] probability, int topK, String returnedScale,
                                    String ownScale) {
    double change = probability[cls] - baseProbability[cls];
    double ownChange = ownOutput - ownBase;
    // a change below NEGLIGIBLE is rounding: no share of it can be told apart
    boolean bothNone = Math.abs(change) < NEGLIGIBLE && Math.abs(ownChange) < NEGLIGIBLE;
    boolean sameSign = Math.abs(ownChange) >= NEGLIGIBLE && (change > 0 == ownChange > 0) && change != 0;
    if (!sameSign && !bothNone) {
      return new Explanation(cls, ownScale + "; not mapped to the returned probability, which moved against this "
          + "score (pushed by the other classes' scores)", ownBase, ownOutput, largest(used, own, topK), false);
    }
    double factor = bothNone ? 0 : change / ownChange;
    double[] mapped = new double[own.length];
    for (int j = 0; j < own.length; j++) {
      mapped[j] = own[j] * factor;
    }
    return new Explanation(cls, returnedScale, baseProbability[cls], probability[cls], largest(used, mapped, topK),
        true);
  }

  /** A change of a score smaller than this is taken as none (rounding). */
  static final double NEGLIGIBLE = 1e-9;

  /** The calibration applied to the algorithm's probabilities, or the probabilities themselves without one. */
  final double[] calibrated(double[] proba) {
    return calibration == null ? proba : calibration.apply(proba);
  }

  /** "RANDOM_FOREST, 19 features, classes [DIE, LIVE]", the start of every model type's toString. */
  final String describe() {
    return options.algorithm() + ", " + features.size() + " features, classes " + classes;
  }
}
