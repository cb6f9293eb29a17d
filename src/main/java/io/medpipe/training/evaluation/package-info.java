/**
 * How models are judged and chosen: classification metrics with undefined values as NaN
 * ({@link io.medpipe.training.evaluation.ClassificationMetrics}), percentile bootstrap intervals, stratified hold-out
 * splits and folds, cross-validation with pooled out-of-fold predictions, the held-out evaluation of one model, and
 * the candidate search with its declared selection policy ({@link io.medpipe.training.evaluation.CandidateSearch}), and
 * the cap that keeps a cost-matrix decision within a specificity floor ({@link
 * io.medpipe.training.evaluation.ModelSelection}, which also keeps the earlier rare-class policy for its benchmark).
 *
 * <p>Open to other features (a Spring Modulith named interface): the workers and the command line read metrics and
 * intervals through it.
 */
@org.springframework.modulith.NamedInterface("evaluation")
package io.medpipe.training.evaluation;
