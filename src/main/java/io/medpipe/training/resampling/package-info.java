/**
 * Resampling of training rows before a model is fitted: random undersampling and SMOTE(-NC)
 * ({@link io.medpipe.training.resampling.Resampler}), applied inside every model type's fit, to the rows it is given,
 * so that cross-validation never resamples a test row.
 */
package io.medpipe.training.resampling;
