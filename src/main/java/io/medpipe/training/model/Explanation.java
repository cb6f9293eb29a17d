package io.medpipe.training.model;

import java.util.List;

/**
 * Why a model gave one row its prediction: the explained class and the features that moved its score most (TreeSHAP).
 *
 * <p>Additivity: {@code baseValue} plus the SHAP values of ALL features equals {@code modelOutput}; {@code top} holds
 * only the largest, so their sum is generally less.
 *
 * @param predictedClass      index of the explained class: the model's decision ({@link Classifier#predict}, the
 *                            cost matrix applied to {@link Classifier#predictProba}) unless a class was asked for
 * @param scale               what baseValue, modelOutput and the SHAP values measure, in words; see
 *                            {@link Classifier#explanationScale()}
 * @param baseValue           the explained score expected before looking at this row's values
 * @param modelOutput         the explained score of this row
 * @param top                 the largest contributions, by absolute SHAP value, descending
 * @param onReturnedScale     whether the figures are on the scale of the probability the model returns
 *                            ({@link Classifier#predictProba}): then modelOutput IS that probability of the class and
 *                            the contributions add up to it. False for the model types written before this was
 *                            offered, and where the mapping to the returned probability is not meaningful (the scale
 *                            says why)
 */
public record Explanation(int predictedClass, String scale, double baseValue, double modelOutput,
                          List<Contribution> top, boolean onReturnedScale) {

  /**
   * One feature's share of the difference between modelOutput and baseValue.
   *
   * @param feature feature name
   * @param value   the value the model used: the row's value, the training imputation value where it was missing, or
   *                NaN (missing) for a model that takes missing values as they are
   * @param shap    how much this value pushed the predicted class's score up (positive) or down (negative)
   */
  public record Contribution(String feature, double value, double shap) {
  }

  public Explanation {
    top = List.copyOf(top);
  }

  /** An explanation on the model type's own scale, not the returned probability's (the older model types). */
  public Explanation(int predictedClass, String scale, double baseValue, double modelOutput, List<Contribution> top) {
    this(predictedClass, scale, baseValue, modelOutput, top, false);
  }
}
