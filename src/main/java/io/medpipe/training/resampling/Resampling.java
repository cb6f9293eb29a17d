package io.medpipe.training.resampling;

/**
 * How the training rows are rebalanced before a model is fitted. It is applied inside every model type's {@code fit}
 * ({@link Resampler}), to the rows it is given and nothing else, so during cross-validation it only ever sees a
 * training fold: no synthetic row is built from, or evaluated as, a test row.
 */
public enum Resampling {
  /** The rows as they are. */
  NONE,
  /** Random undersampling: every class is cut down to the size of the smallest one, without replacement. */
  UNDERSAMPLE,
  /**
   * SMOTE (Chawla et al. 2002): every class is filled up to the size of the largest one with rows interpolated between
   * a row and one of its 5 nearest neighbours of the same class. With BINARY or CATEGORICAL features it is SMOTE-NC:
   * a differing category adds the median standard deviation of the numeric features to the distance, and a synthetic
   * row takes each category's most frequent value among the neighbours (an interpolated category means nothing).
   */
  SMOTE
}
