package io.medpipe.training;

import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.model.ClassWeighting;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.MlpOptions;
import io.medpipe.training.model.TrainingOptions;
import io.medpipe.training.resampling.Resampling;
import java.util.Locale;

/**
 * The named strategies as {@code medpipe evaluate} built them before XGBoost and the raw-frequency forest replaced
 * Smile's forest and boosting there: Smile's RandomForest (class weights, SMOTE, undersampling) and
 * GradientTreeBoost. The golden outputs and the earlier benchmark figures were recorded with these, and models in
 * production were trained with them, so they stay reproducible.
 */
public final class LegacyStrategies {

  private LegacyStrategies() {
  }

  public static TrainingOptions strategy(String name, int classes, int target, int trees, long seed) {
    CostMatrix costs = CostMatrix.rareMiss(classes, target, TrainingRecipe.RARE_MISS_COST);
    TrainingOptions rf = TrainingOptions.defaults(seed).withTrees(trees);
    TrainingOptions plain = rf.withClassWeighting(ClassWeighting.NONE);
    TrainingOptions smote = plain.withResampling(Resampling.SMOTE).withMaxNodes(ModelSelection.SMOTE_MAX_NODES);
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "rf-balanced" -> rf;
      case "rf-balanced-costs" -> rf.withCosts(costs);
      case "rf-smote" -> smote;
      case "rf-smote-costs" -> smote.withCosts(costs);
      case "rf-undersample" -> plain.withResampling(Resampling.UNDERSAMPLE);
      case "rf-undersample-costs" -> plain.withResampling(Resampling.UNDERSAMPLE).withCosts(costs);
      case "gbt-costs" -> TrainingOptions.boosting(trees, seed).withCosts(costs);
      case "rf" -> plain;
      case "gbt" -> TrainingOptions.boosting(trees, seed);
      case "gbt-smote" -> TrainingOptions.boosting(trees, seed).withResampling(Resampling.SMOTE);
      case "mlp" -> TrainingOptions.mlp(MlpOptions.defaults(), seed);
      case "mlp-costs" -> TrainingOptions.mlp(MlpOptions.defaults(), seed).withCosts(costs);
      case "mlp-transfer" -> TrainingOptions.mlp(MlpOptions.defaults().withPretraining(
          DatasetEvaluation.TRANSFER_PRETRAIN_EPOCHS), seed);
      default -> throw new IllegalArgumentException("unknown legacy strategy " + name);
    };
  }
}
