/**
 * Training: how a {@link io.medpipe.dataset.FeatureTable} becomes a trained, explainable, serialisable
 * {@link io.medpipe.training.ClassifierModel}, and how it is judged ({@link io.medpipe.training.ClassificationMetrics}).
 *
 * <p>Shaped like Smile: a static {@code fit(data, options)} returns an immutable model, options are a validated record.
 * Splits are stratified because rare-disease classes are small: an unlucky random split can leave a class out of the
 * test set entirely.
 */
package io.medpipe.training;
