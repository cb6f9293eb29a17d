/**
 * Training: how a snapshot becomes a trained, evaluated, documented model, and where its runs are kept.
 *
 * <p>This package owns the recipe and the runs: {@link io.medpipe.training.TrainingRecipe} (Develop's training step
 * without the database: stratified hold-out, candidate search, refit, calibration), {@link
 * io.medpipe.training.TrainingService} (runs the recipe on a snapshot, evaluates the run and renders its model card),
 * {@link io.medpipe.training.TrainingRuns} (the JDBC store of runs; the model itself lives once in the artifact
 * store), and {@link io.medpipe.training.DatasetEvaluation} with {@link io.medpipe.training.CsvDataset} for
 * {@code medpipe evaluate} on any table. The sub-packages hold the parts, each usable on its own:
 * <ul>
 *   <li>{@code model}: one immutable type per algorithm behind {@link io.medpipe.training.model.Classifier}, their
 *       options, imputation, encoding, explanation, provenance and artifact format;
 *   <li>{@code evaluation}: metrics, bootstrap intervals, stratified splits, cross-validation and the candidate
 *       selection;
 *   <li>{@code calibration}: maps from a model's probabilities to calibrated ones;
 *   <li>{@code resampling}: SMOTE(-NC) and undersampling of training rows;
 *   <li>{@code card}: the model card and the clinical validation it records.
 * </ul>
 * Dependencies run one way: the recipe uses every sub-package; {@code card} uses {@code evaluation} and
 * {@code model}; {@code evaluation} uses {@code model}, {@code calibration} and {@code resampling}; {@code model} uses
 * {@code calibration} and {@code resampling}; those two use nothing else of training. Training uses neither the
 * registry nor the EHR.
 */
package io.medpipe.training;
