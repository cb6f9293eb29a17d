package io.medpipe.training;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.CrossValidation;
import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.model.ClassWeighting;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.MlpOptions;
import io.medpipe.training.model.TrainingOptions;
import io.medpipe.training.resampling.Resampling;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cross-validation of medpipe's training strategies on any table, without database or engine (the command line's
 * {@code medpipe evaluate}). Outer folds are given (a peer's folds file) or stratified and seeded; every row is
 * predicted once, by a model fitted on the other folds.
 *
 * <p>Without a named strategy the pipeline's own search runs <em>inside</em> each outer fold (nested
 * cross-validation: {@link ModelSelection#defaultCandidates} with {@link TrainingRecipe#SEARCH_TREES} trees, picked
 * by {@link ModelSelection#POLICY} on the fold's training rows only, then refitted with the full tree count), so the
 * out-of-fold figures are not inflated by choosing the best candidate on the rows they are scored on. The
 * configuration the pipeline would deploy for this table is the policy's choice on all rows, reported separately.
 */
public final class DatasetEvaluation {

  /**
   * The strategies that can be named: the pipeline's candidates, plain forest and boosting, and the MLP (class-weighted;
   * "mlp-transfer" pre-trains on the training fold's related classes, every class but the rarest, then fine-tunes;
   * stacking needs a separate source table, which a single data set does not have).
   */
  public static final List<String> STRATEGIES = List.of("rf-balanced", "rf-balanced-costs", "rf-smote",
      "rf-smote-costs", "rf-undersample", "rf-undersample-costs", "gbt-costs", "rf", "gbt", "gbt-smote", "mlp",
      "mlp-costs", "mlp-transfer");

  /** Pre-training epochs of the "mlp-transfer" strategy. */
  public static final int TRANSFER_PRETRAIN_EPOCHS = 30;

  private DatasetEvaluation() {
  }

  /** A named strategy's options for a table whose rare (target) class is {@code target}. */
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
      case "mlp-transfer" -> TrainingOptions.mlp(MlpOptions.defaults().withPretraining(TRANSFER_PRETRAIN_EPOCHS), seed);
      default -> throw new CsvDataset.Invalid("unknown strategy " + name + " (one of " + String.join(", ", STRATEGIES)
          + ")");
    };
  }

  /** The rarest class (the first of equal ones), the default target of the search and of the cost matrix. */
  public static int rarest(FeatureTable data) {
    int[] counts = data.classCounts();
    int rare = 0;
    for (int c = 1; c < counts.length; c++) {
      if (counts[c] < counts[rare]) {
        rare = c;
      }
    }
    return rare;
  }

  /**
   * One evaluation.
   *
   * @param label       the strategy's name, or "pipeline search"
   * @param perFold     per outer fold, the configuration that made its predictions (differs by fold under the search)
   * @param deployed    the policy's selection on all rows (null for a named strategy)
   */
  public record Outcome(String label, CrossValidation.Result cv, List<String> perFold,
                        ModelSelection.Selection deployed) {
  }

  /**
   * Cross-validates one named configuration with the given folds, its probabilities of class {@code target}
   * recalibrated as the pipeline's model would serve them ({@link TrainingRecipe#CALIBRATION}, cross-fitted on the
   * other folds' predictions, {@link CrossValidation#recalibrate}) and decided on those. A cost matrix's miss cost is
   * capped by the pipeline's rule ({@link ModelSelection#capMissCost}, specificity
   * {@link TrainingRecipe#REQUIRED_SPECIFICITY}), cross-fitted the same way: the rows of each fold are decided with the
   * cost capped on the other folds' predictions, so no row's label sets its own threshold. (The pipeline caps on an
   * inner cross-validation of its training rows instead; here the other folds' predictions come from models that saw
   * this fold's rows, a second-order optimism that the nested search does not have.) Each fold's cost is named in
   * {@link Outcome#perFold}.
   */
  public static Outcome fixed(String name, FeatureTable data, TrainingOptions options, int[] fold, int target) {
    CrossValidation.Result cv = CrossValidation.recalibrate(CrossValidation.run(data, options, fold), data.y(),
        data.classes(), TrainingRecipe.CALIBRATION, target);
    List<String> perFold = new ArrayList<>();
    if (options.costs() == null) {
      for (int f = 0; f < cv.folds(); f++) {
        perFold.add(options.label());
      }
      return new Outcome(name, cv, perFold, null);
    }
    int[] y = data.y();
    int[] predicted = cv.predicted().clone();
    for (CrossValidation.Fold f : cv.foldDetails()) {
      int[] other = f.trainRows();
      double[][] otherProba = new double[other.length][];
      int[] otherY = new int[other.length];
      for (int i = 0; i < other.length; i++) {
        otherProba[i] = cv.proba()[other[i]];
        otherY[i] = y[other[i]];
      }
      TrainingOptions capped = ModelSelection.capMissCost(options, otherProba, otherY, target,
          TrainingRecipe.REQUIRED_SPECIFICITY);
      for (int i : f.testRows()) {
        predicted[i] = capped.costs().decide(cv.proba()[i]);
      }
      perFold.add(capped == options ? options.label() : "%s (miss cost capped to %s for specificity >= %.2f)"
          .formatted(options.label(), ModelSelection.missCost(capped.costs(), target),
              TrainingRecipe.REQUIRED_SPECIFICITY));
    }
    CrossValidation.Result decided = new CrossValidation.Result(options, cv.folds(), cv.note(), cv.proba(), predicted,
        ClassificationMetrics.of(y, cv.proba(), predicted, data.classes()), cv.foldDetails(), cv.trainSeconds());
    return new Outcome(name, decided, perFold, null);
  }

  /**
   * Nested cross-validation of the pipeline's search and policy: in each outer fold the candidates are
   * cross-validated on its training rows ({@code searchFolds} stratified folds, seeded), the policy picks, and the
   * pick is refitted with {@code trees} trees and calibrated ({@link TrainingRecipe#searchAndFit}) to predict the
   * fold's test rows.
   */
  public static Outcome search(FeatureTable data, int target, int[] fold, int trees, long seed) {
    int searchTrees = Math.min(trees, TrainingRecipe.SEARCH_TREES);
    CostMatrix costs = CostMatrix.rareMiss(data.classes().size(), target, TrainingRecipe.RARE_MISS_COST);
    List<TrainingOptions> candidates = ModelSelection.defaultCandidates(searchTrees, seed, costs);
    int k = java.util.Arrays.stream(fold).max().orElse(0) + 1;
    int n = data.rows();
    double[][] proba = new double[n][];
    int[] predicted = new int[n];
    List<CrossValidation.Fold> details = new ArrayList<>();
    List<String> perFold = new ArrayList<>();
    TrainingOptions last = null;
    long start = System.nanoTime();
    for (int f = 0; f < k; f++) {
      final int ff = f;
      int[] test = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] == ff).toArray();
      int[] train = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] != ff).toArray();
      FeatureTable trainTable = data.subset(train);
      TrainingRecipe.Fitted fitted = TrainingRecipe.searchAndFit(trainTable, target, seed, trees,
          TrainingRecipe.RARE_MISS_COST, TrainingRecipe.CALIBRATION);
      ModelSelection.Selection selection = fitted.selection();
      last = selection.chosen().withTrees(trees);
      Classifier model = fitted.model();
      for (int i : test) {
        proba[i] = model.predictProba(data.x()[i]);
        predicted[i] = model.decide(proba[i]);
      }
      perFold.add(selection.chosen().label());
      details.add(new CrossValidation.Fold(f, train, test, model.provenance().resampled().syntheticRows()));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    CrossValidation.Result cv = new CrossValidation.Result(last, k, null, proba, predicted,
        ClassificationMetrics.of(data.y(), proba, predicted, data.classes()), List.copyOf(details), seconds);
    ModelSelection.Selection deployed = ModelSelection.select(data, target, candidates, TrainingRecipe.SEARCH_FOLDS,
        seed, TrainingRecipe.REQUIRED_SPECIFICITY, TrainingRecipe.CALIBRATION);
    return new Outcome("pipeline search", cv, perFold, deployed);
  }

  /** Multi-class Brier score: mean over rows of the squared distance of the probabilities to the one-hot truth. */
  public static double brier(int[] y, double[][] proba) {
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      for (int c = 0; c < proba[i].length; c++) {
        double d = proba[i][c] - (y[i] == c ? 1 : 0);
        sum += d * d;
      }
    }
    return sum / y.length;
  }

  /** The figures as plain names and values, for metrics.json. */
  public static Map<String, Object> asMap(Outcome o, FeatureTable data, int target) {
    ClassificationMetrics m = o.cv().metrics();
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("strategy", o.label());
    map.put("targetClass", data.classes().get(target));
    map.put("rows", data.rows());
    map.put("folds", o.cv().folds());
    map.put("evaluation", "pooled out-of-fold predictions (each row predicted once by the model of the fold that did "
        + "not train on it)");
    map.put("configurationPerFold", o.perFold());
    if (o.deployed() != null) {
      map.put("selectionOnAllRows", o.deployed().asMap());
    } else {
      map.put("hyperparameters", o.cv().options().asMap());
    }
    map.put("perClass", m.perClass());
    map.put("macroF1", m.macroF1());
    map.put("balancedAccuracy", m.balancedAccuracy());
    map.put("accuracy", m.accuracy());
    map.put("brier", brier(data.y(), o.cv().proba()));
    map.put("confusion", m.confusion());
    map.put("trainSeconds", o.cv().trainSeconds());
    return map;
  }
}
