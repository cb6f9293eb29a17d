/**
 * The trained models: one immutable type per algorithm ({@link io.medpipe.training.model.XgboostModel} and
 * {@link io.medpipe.training.model.ForestModel}, the candidates of the search; {@link
 * io.medpipe.training.model.RandomForestModel} and {@link io.medpipe.training.model.GradientBoostingModel}, Smile's,
 * kept for the models made with them; {@link io.medpipe.training.model.MlpModel}) behind
 * {@link io.medpipe.training.model.Classifier}, each with its own static {@code fit(table, options)} as in Smile.
 *
 * <p>This package owns what a model is made of and how it is kept: the options ({@link
 * io.medpipe.training.model.TrainingOptions}, {@link io.medpipe.training.model.MlpOptions}), the decision rule
 * ({@link io.medpipe.training.model.CostMatrix}), the imputation every type shares, the MLP's input encoding and
 * network, the explanations beside the model they explain (Linear TreeSHAP over flat tree arrays in {@code TreeShap},
 * mapped to the returned probability for the current types; Smile's TreeSHAP of its boosting), the typed {@link io.medpipe.training.model.ModelProvenance} written into every artifact, and
 * the artifact format, which still reads every model saved by earlier versions. The calibration a model applies
 * after its algorithm's probabilities is common to all types ({@code BaseClassifier}), not algorithm-specific.
 *
 * <p>A new algorithm is a new type: extend {@code BaseClassifier}, give it a static {@code fit}, its
 * {@link io.medpipe.training.model.ModelProvenance.Details} and an {@link io.medpipe.training.model.Algorithm}
 * constant that {@link io.medpipe.training.model.Classifier#fit} dispatches to.
 *
 * <p>Open to other features (a Spring Modulith named interface): serving, the registry and the command line read models
 * through it.
 */
@org.springframework.modulith.NamedInterface("model")
package io.medpipe.training.model;
