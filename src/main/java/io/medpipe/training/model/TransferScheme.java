package io.medpipe.training.model;

/**
 * How an MLP uses a network pre-trained on the related task ({@link MlpOptions#pretrainEpochs()} > 0).
 */
public enum TransferScheme {
  /** Keep the pre-trained hidden layers, put a new output layer on top, fine-tune every layer on the rare task. */
  FINE_TUNE,
  /** As FINE_TUNE, but only the new output layer learns: the pre-trained hidden layers are a fixed representation. */
  FROZEN,
  /**
   * Stacking: keep the whole pre-trained network as a base model whose class probabilities (e.g. P(HCM), P(CKD))
   * become extra inputs of a network trained from scratch on the rare task beside the original features, so a signal
   * the related task never needed stays available.
   */
  STACK
}
