package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.io.Serial;
import java.util.List;
import java.util.Map;
import smile.classification.GradientTreeBoost;
import smile.data.Tuple;
import smile.math.MathEx;

/**
 * Smile's gradient tree boosting over imputed rows (multi-class: one regression tree per class and round, softmax),
 * explained by Smile's TreeSHAP of the boosting margin. Smile's boosting has no class weights: imbalance is handled by
 * resampling or a cost matrix.
 */
public final class GradientBoostingModel extends BaseClassifier {

  @Serial private static final long serialVersionUID = 1L;

  /** What {@link Explanation} figures of a boosted model measure. */
  public static final String SHAP_SCALE = "boosting margin (Smile GradientTreeBoost TreeSHAP); baseValue not "
      + "tracked (NaN), modelOutput is the predicted class's probability";

  /** Row share each boosting round fits on (stochastic gradient boosting, Friedman 2002). */
  static final double SUBSAMPLE = 0.7;

  private final GradientTreeBoost boosting;

  GradientBoostingModel(List<Feature> features, List<String> classes, TrainingOptions options, Imputer imputer,
                        ProbabilityCalibration calibration, ModelProvenance provenance, GradientTreeBoost boosting) {
    super(features, classes, options, imputer, calibration, provenance);
    this.boosting = boosting;
  }

  /** The boosting's own figure: the row share of each round. */
  public record Fit(double subsample) implements ModelProvenance.Details {

    @Override
    public Map<String, Object> asMap() {
      return Map.of("subsample", subsample);
    }
  }

  /**
   * Fits boosted trees on every row of {@code train}.
   *
   * @throws IllegalArgumentException if the options ask for another algorithm, or as {@link FitInput#of}
   */
  public static GradientBoostingModel fit(FeatureTable train, TrainingOptions options) {
    if (options.algorithm() != Algorithm.GRADIENT_BOOSTING) {
      throw new IllegalArgumentException("gradient boosting cannot be fitted with options for "
          + options.algorithm());
    }
    FitInput in = FitInput.of(train, options);
    // Smile's boosting draws its row subsamples from MathEx's generator of the calling thread, and builds its trees
    // on that thread, so seeding it here makes the fit reproducible.
    MathEx.setSeed(options.seed());
    GradientTreeBoost boosting = GradientTreeBoost.fit(FitInput.formula(), in.frame(), options.trees(),
        options.maxDepth(), options.maxNodes(), options.nodeSize(), options.shrinkage(), SUBSAMPLE);
    return new GradientBoostingModel(in.features(), in.classes(), options, in.imputer(), null,
        in.provenance(new Fit(SUBSAMPLE)), boosting);
  }

  /** The boosted trees' softmax. */
  @Override
  double[] probabilities(double[] imputed) {
    double[] proba = new double[classes().size()];
    boosting.predict(Tuple.of(imputed, boosting.schema()), proba);
    return proba;
  }

  @Override
  GradientBoostingModel with(ProbabilityCalibration calibration, ModelProvenance provenance) {
    return new GradientBoostingModel(features(), classes(), options(), imputer(), calibration, provenance, boosting);
  }

  @Override
  public String explanationScale() {
    return SHAP_SCALE;
  }

  @Override
  public boolean explainable() {
    return true;
  }

  /**
   * Explains class {@code cls} of one row on {@link #SHAP_SCALE}: Smile's TreeSHAP of the margin (binary boosting has
   * one margin, which speaks for the second class; multi-class one per class), and as modelOutput the probability
   * {@link #predictProba} serves.
   */
  @Override
  public Explanation explain(double[] row, int cls, int topK) {
    checkExplainable(cls, topK);
    double[] used = impute(row);
    double[] proba = predictProba(row);
    double[] shap = boosting.shap(Tuple.of(used, boosting.schema()));
    int p = features().size();
    int perFeature = shap.length / p; // binary boosting has one margin, multi-class one per class
    int column = perFeature == 1 ? 0 : cls;
    double sign = perFeature == 1 && cls == 0 ? -1 : 1; // a binary margin speaks for class 1
    double[] contribution = new double[p];
    for (int j = 0; j < p; j++) {
      contribution[j] = sign * shap[j * perFeature + column];
    }
    return new Explanation(cls, SHAP_SCALE, Double.NaN, proba[cls], largest(used, contribution, topK));
  }

  @Override
  public double[] meanAbsShap(double[][] rows) {
    return meanAbsShap(rows, boosting::shap);
  }

  @Override
  public String toString() {
    return "GradientBoostingModel[" + describe() + ", " + boosting.size() + " trees]";
  }
}
