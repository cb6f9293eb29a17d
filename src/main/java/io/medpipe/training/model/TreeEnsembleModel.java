package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.io.Serial;
import java.util.List;
import java.util.Optional;

/**
 * What the model types that keep their trees in medpipe's own arrays ({@link TreeShap}) share: prediction from the
 * arrays (no library and no native code per request), exact one-class TreeSHAP on the algorithm's own scale, mapped
 * to the returned probability ({@link #onReturnedScale}), and the global importance recorded for the prediction API's
 * input completeness.
 */
abstract class TreeEnsembleModel extends BaseClassifier {

  @Serial private static final long serialVersionUID = 1L;

  private final TreeShap trees;
  /** Mean |SHAP| per feature over training rows, summed over the classes (own scale); null until recorded. */
  private final double[] importance;

  TreeEnsembleModel(List<Feature> features, List<String> classes, TrainingOptions options, Imputer imputer,
                    ProbabilityCalibration calibration, ModelProvenance provenance, TreeShap trees,
                    double[] importance) {
    super(features, classes, options, imputer, calibration, provenance);
    this.trees = trees;
    this.importance = importance == null ? null : importance.clone();
  }

  /** The algorithm's probabilities from its own output of every class (a forest's are already probabilities). */
  abstract double[] toProbabilities(double[] own);

  /** The words for explanations on the algorithm's own scale (where the mapping to the returned one does not hold). */
  abstract String ownScale();

  /** This model with another calibration, provenance and importance, the trees shared. */
  abstract TreeEnsembleModel with(ProbabilityCalibration calibration, ModelProvenance provenance,
                                  double[] importance);

  @Override
  final TreeEnsembleModel with(ProbabilityCalibration calibration, ModelProvenance provenance) {
    return with(calibration, provenance, importance);
  }

  final TreeShap trees() {
    return trees;
  }

  final double[] importanceOrNull() {
    return importance;
  }

  @Override
  final double[] probabilities(double[] imputed) {
    return toProbabilities(trees.output(imputed));
  }

  @Override
  public final boolean explainable() {
    return true;
  }

  /**
   * Explains class {@code cls} of one row on the returned probability: exact TreeSHAP on the algorithm's own scale,
   * mapped proportionally through the softmax (boosting) and the calibration ({@link #onReturnedScale}); where the
   * returned probability moved against the own score, on the own scale, which the explanation's scale then names.
   */
  @Override
  public final Explanation explain(double[] row, int cls, int topK) {
    checkExplainable(cls, topK);
    double[] used = impute(row);
    double[] phi = new double[features().size()];
    double ownOutput = trees.explain(used, cls, phi);
    double[] probability = calibrated(toProbabilities(trees.output(used)));
    double[] baseProbability = calibrated(toProbabilities(trees.expected()));
    return onReturnedScale(cls, used, phi, trees.expected(cls), ownOutput, baseProbability, probability, topK,
        explanationScale(), ownScale());
  }

  /** Mean |SHAP| per feature over {@code rows} on the own scale, summed over the classes. */
  @Override
  public final double[] meanAbsShap(double[][] rows) {
    int p = features().size();
    double[] out = new double[p];
    double[] phi = new double[p];
    for (double[] row : rows) {
      double[] used = impute(row);
      for (int c = 0; c < classes().size(); c++) {
        trees.explain(used, c, phi);
        for (int j = 0; j < p; j++) {
          out[j] += Math.abs(phi[j]) / rows.length;
        }
      }
    }
    return out;
  }

  @Override
  public final Optional<double[]> featureImportance() {
    return Optional.ofNullable(importance).map(double[]::clone);
  }

  /**
   * This model with its global importance recorded: {@link #meanAbsShap} over {@code rows} (training rows; a few
   * hundred are plenty for a mean).
   */
  @Override
  public final Classifier withFeatureImportance(double[][] rows) {
    return with(calibration().orElse(null), provenance(), meanAbsShap(rows));
  }
}
