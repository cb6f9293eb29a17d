package io.medpipe.training;

/** The learning algorithm a {@link TrainingOptions} asks for; only random forests exist so far (GBT and MLP later). */
public enum Algorithm {
  /** Smile's random forest of CART trees; supports class weights and TreeSHAP. */
  RANDOM_FOREST
}
