package io.medpipe.training.model;

/** The learning algorithm a {@link TrainingOptions} asks for. */
public enum Algorithm {
  /** Smile's random forest of CART trees; supports class weights and TreeSHAP. */
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
  MLP
}
