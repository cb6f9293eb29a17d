/**
 * Probability calibration: maps from a model's class probabilities to calibrated ones, fitted on predictions of rows
 * the model did not train on ({@link io.medpipe.training.calibration.PlattCalibration},
 * {@link io.medpipe.training.calibration.IsotonicCalibration}), and the logistic fit on the logit they and the
 * evaluation's calibration slope share. Depends on nothing else of training, so that models, evaluation and the recipe
 * can all use it.
 */
package io.medpipe.training.calibration;
