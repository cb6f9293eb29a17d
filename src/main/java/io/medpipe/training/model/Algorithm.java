package io.medpipe.training.model;

/** The learning algorithm a {@link TrainingOptions} asks for. */
public enum Algorithm {
  /**
   * Smile's random forest of CART trees with Laplace-smoothed leaves, trees weighted by out-of-bag accuracy; supports
   * class weights and TreeSHAP. Kept for the models trained with it; new training uses {@link #FOREST}.
   */
  RANDOM_FOREST,
  /**
   * Smile's gradient tree boosting (multi-class: one regression tree per class and round, softmax). No class weights
   * in Smile: imbalance is handled by resampling or a cost matrix.
   */
  GRADIENT_BOOSTING,
  /**
   * A multi-layer perceptron (medpipe's own, pure Java: see {@link NeuralNet}) on standardised, one-hot encoded inputs;
   * supports class weights (in the loss) and transfer learning ({@link MlpOptions#pretrainEpochs()}). It has no exact
   * explanation, so it is not among the pipeline's default candidates and {@link MlpModel#explain} refuses it.
   */
  MLP,
  /**
   * XGBoost's histogram gradient boosting ({@code multi:softprob}, one tree per class and round): missing values go
   * down each split's learned default branch (no imputation), balanced or no row weights; served and explained from
   * medpipe's own arrays of its trees ({@link XgboostModel}).
   */
  XGBOOST,
  /**
   * A random forest grown by medpipe's own bagging loop over Smile's CART trees: leaves give the raw class frequencies
   * of their training rows (as scikit-learn's trees), trees are averaged plainly, and a balanced bootstrap per tree
   * replaces class weights and undersampling ({@link ForestModel}).
   */
  FOREST
}
