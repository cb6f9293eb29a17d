package io.medpipe.training;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import io.medpipe.training.evaluation.CandidateSearch;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.CrossValidation;
import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.evaluation.Progress;
import io.medpipe.training.model.Algorithm;
import io.medpipe.training.model.ClassWeighting;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.MlpOptions;
import io.medpipe.training.model.TrainingOptions;
import io.medpipe.training.resampling.Resampling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Cross-validation of medpipe's training on any table, without database or engine (the command line's
 * {@code medpipe evaluate}). Outer folds are given (a peer's folds file) or stratified and seeded; every row is
 * predicted once, by a model fitted on the other folds: the figures are out-of-fold, pooled over the folds.
 *
 * <p>Without a named strategy the pipeline's own training runs <em>inside</em> each outer fold (nested
 * cross-validation: {@link TrainingRecipe#searchAndFit} on the fold's training rows only: the candidate search and
 * its policy, the refit, the calibration and the decision rule), so the figures are not inflated by choosing on the
 * rows they are scored on. The model the pipeline would deploy for this table is the same training on all rows,
 * reported separately.
 */
public final class DatasetEvaluation {

  /**
   * The fixed strategies that can be named. Each may end in "-costs": the decision then also uses the pipeline's cost
   * matrix for the target class (capped as the pipeline caps it). "xgb" is XGBoost, "forest" medpipe's raw-frequency
   * forest ("-balanced": balanced row weights, or a balanced bootstrap per tree; "-smote": SMOTE(-NC) inside each
   * fit), "mlp" the neural network with class weights ("mlp-transfer" pre-trains it on every class but the rarest).
   */
  public static final List<String> STRATEGIES = List.of("xgb-balanced", "xgb", "xgb-smote", "forest",
      "forest-balanced", "forest-smote", "mlp", "mlp-transfer");

  /**
   * Names of earlier versions, mapped to what replaced them: Smile's smoothed forest, its boosting without weights and
   * undersampling the table once gave way to the types above (docs/training.md says why).
   */
  public static final Map<String, String> RENAMED = Map.of("rf", "forest", "rf-balanced", "forest-balanced",
      "rf-undersample", "forest-balanced", "rf-smote", "forest-smote", "gbt", "xgb", "gbt-smote", "xgb-smote");

  /** Pre-training epochs of the "mlp-transfer" strategy. */
  public static final int TRANSFER_PRETRAIN_EPOCHS = 30;

  private DatasetEvaluation() {
  }

  /** A strategy that cannot run on a table, and why in one line. */
  public static final class CannotRun extends RuntimeException {
    public CannotRun(String message) {
      super(message);
    }
  }

  /** The strategy a name (current or {@link #RENAMED}, with or without "-costs") stands for; null if unknown. */
  public static String canonical(String name) {
    String n = name.toLowerCase(Locale.ROOT).trim();
    boolean costs = n.endsWith("-costs");
    String base = costs ? n.substring(0, n.length() - "-costs".length()) : n;
    base = RENAMED.getOrDefault(base, base);
    return STRATEGIES.contains(base) ? base + (costs ? "-costs" : "") : null;
  }

  /** A named strategy's options for a table whose rare (target) class is {@code target}. */
  public static TrainingOptions strategy(String name, int classes, int target, int trees, long seed) {
    return strategy(name, classes, target, trees, seed, TrainingRecipe.RARE_MISS_COST);
  }

  /** The same, with the miss cost of a "-costs" strategy given. */
  public static TrainingOptions strategy(String name, int classes, int target, int trees, long seed,
                                         double missCost) {
    String canonical = canonical(name);
    if (canonical == null) {
      throw new CsvDataset.Invalid("unknown strategy " + name + " (one of " + String.join(", ", STRATEGIES)
          + ", each also with -costs)");
    }
    boolean costs = canonical.endsWith("-costs");
    String base = costs ? canonical.substring(0, canonical.length() - "-costs".length()) : canonical;
    TrainingOptions options = switch (base) {
      case "xgb-balanced" -> TrainingOptions.xgboost(TrainingOptions.XGBOOST_ROUNDS, seed, ClassWeighting.BALANCED);
      case "xgb" -> TrainingOptions.xgboost(TrainingOptions.XGBOOST_ROUNDS, seed, ClassWeighting.NONE);
      case "xgb-smote" -> TrainingOptions.xgboost(TrainingOptions.XGBOOST_ROUNDS, seed, ClassWeighting.NONE)
          .withResampling(Resampling.SMOTE);
      case "forest" -> TrainingOptions.forest(trees, seed, ClassWeighting.NONE);
      case "forest-balanced" -> TrainingOptions.forest(trees, seed, ClassWeighting.BALANCED);
      case "forest-smote" -> TrainingOptions.forest(trees, seed, ClassWeighting.NONE).withResampling(Resampling.SMOTE);
      case "mlp" -> TrainingOptions.mlp(MlpOptions.defaults(), seed);
      case "mlp-transfer" -> TrainingOptions.mlp(MlpOptions.defaults().withPretraining(TRANSFER_PRETRAIN_EPOCHS), seed);
      default -> throw new IllegalStateException(base);
    };
    return costs ? options.withCosts(CostMatrix.rareMiss(classes, target, missCost)) : options;
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
   * @param label         the strategy's name, or "pipeline default (nested)"
   * @param cv            the pooled out-of-fold predictions and their figures
   * @param perFold       per outer fold, the configuration that made its predictions (and its decision)
   * @param deployed      the pipeline's training on all rows (null for a named strategy)
   * @param modelsTrained models fitted, every fold and the model on all rows included
   */
  public record Outcome(String label, CrossValidation.Result cv, List<String> perFold,
                        TrainingRecipe.Fitted deployed, int modelsTrained) {
  }

  /** Models the nested evaluation of the pipeline's training fits: its progress's total. */
  public static int nestedModels(FeatureTable data, int[] fold) {
    int k = Arrays.stream(fold).max().orElse(0) + 1;
    int candidates = CandidateSearch.defaultCandidates(0).size();
    int total = candidates * CandidateSearch.folds(data.classCounts()) + 1;
    for (int f = 0; f < k; f++) {
      final int ff = f;
      int[] counts = data.subset(IntStream.range(0, fold.length).filter(i -> fold[i] != ff).toArray()).classCounts();
      total += candidates * CandidateSearch.folds(counts) + 1;
    }
    return total;
  }

  /**
   * Nested cross-validation of the pipeline's training: in each outer fold, {@link TrainingRecipe#searchAndFit} on its
   * training rows predicts its test rows; then the same training on all rows, the model a run would deploy.
   */
  public static Outcome search(FeatureTable data, int target, int[] fold, int trees, long seed, Progress progress) {
    return search(data, target, fold, trees, seed, TrainingRecipe.Settings.DEFAULT, progress);
  }

  /** {@link #search(FeatureTable, int, int[], int, long, Progress)} with other settings than the defaults. */
  public static Outcome search(FeatureTable data, int target, int[] fold, int trees, long seed,
                               TrainingRecipe.Settings settings, Progress progress) {
    int k = Arrays.stream(fold).max().orElse(0) + 1;
    int n = data.rows();
    int total = nestedModels(data, fold);
    AtomicInteger finished = new AtomicInteger();
    double[][] proba = new double[n][];
    int[] predicted = new int[n];
    List<CrossValidation.Fold> details = new ArrayList<>();
    List<String> perFold = new ArrayList<>();
    TrainingOptions last = null;
    long start = System.nanoTime();
    for (int f = 0; f < k; f++) {
      final int ff = f;
      int[] test = IntStream.range(0, n).filter(i -> fold[i] == ff).toArray();
      int[] train = IntStream.range(0, n).filter(i -> fold[i] != ff).toArray();
      int before = finished.get();
      TrainingRecipe.Fitted fitted = TrainingRecipe.searchAndFit(data.subset(train), target, seed, trees, settings,
          offset(progress, before, total), "outer fold " + (f + 1) + "/" + k + ", ");
      finished.addAndGet(fitted.modelsTrained());
      Classifier model = fitted.model();
      last = model.options();
      for (int i : test) {
        proba[i] = model.predictProba(data.x()[i]);
        predicted[i] = model.decide(proba[i]);
      }
      perFold.add(model.options().label() + missCostNote(model.options(), target, settings.rareMissCost()));
      details.add(new CrossValidation.Fold(f, train, test, model.provenance().resampled().syntheticRows()));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    CrossValidation.Result cv = new CrossValidation.Result(last, k, null, proba, predicted,
        ClassificationMetrics.of(data.y(), proba, predicted, data.classes()), List.copyOf(details), seconds);
    TrainingRecipe.Fitted deployed = TrainingRecipe.searchAndFit(data, target, seed, trees, settings,
        offset(progress, finished.get(), total), "all rows, ");
    finished.addAndGet(deployed.modelsTrained());
    return new Outcome("pipeline default (nested)", cv, perFold, deployed, finished.get());
  }

  private static Progress offset(Progress progress, int before, int total) {
    return (stage, done, ignored) -> progress.fitted(stage, before + done, total);
  }

  private static String missCostNote(TrainingOptions options, int target, double requested) {
    if (options.costs() == null) {
      return "";
    }
    double m = ModelSelection.missCost(options.costs(), target);
    return m < requested
        ? String.format(Locale.ROOT, " (miss cost capped to %s for specificity >= %.2f)", fmt(m),
            TrainingRecipe.REQUIRED_SPECIFICITY)
        : String.format(Locale.ROOT, " (miss cost %s)", fmt(m));
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  /**
   * Cross-validates one named configuration with the given folds (fold models fitted two at a time), its
   * probabilities calibrated as the pipeline's model would serve them ({@link TrainingRecipe#CALIBRATION}, each fold
   * by a map fitted on the other folds' predictions) and decided on those. A cost matrix's miss cost is capped by the
   * pipeline's rule ({@link ModelSelection#capMissCost}, specificity {@link TrainingRecipe#REQUIRED_SPECIFICITY}),
   * cross-fitted the same way. (The pipeline calibrates and caps on an inner cross-validation of its training rows;
   * here the other folds' predictions come from models that saw this fold's rows, a second-order optimism the nested
   * default does not have, accepted so that a fixed strategy costs as many fits as its scikit-learn counterpart.)
   *
   * @throws CannotRun if the strategy cannot fit a fold's training rows (e.g. the MLP and a class absent from them)
   */
  public static Outcome fixed(String name, FeatureTable data, TrainingOptions options, int[] fold, int target,
                              Progress progress) {
    int k = Arrays.stream(fold).max().orElse(0) + 1;
    int n = data.rows();
    int[] y = data.y();
    double[][] raw = new double[n][];
    long start = System.nanoTime();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(TrainingRecipe.THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int f = 0; f < k; f++) {
        final int ff = f;
        futures.add(pool.submit(() -> {
          int[] train = IntStream.range(0, n).filter(i -> fold[i] != ff).toArray();
          int[] test = IntStream.range(0, n).filter(i -> fold[i] == ff).toArray();
          Classifier model;
          try {
            model = Classifier.fit(data.subset(train), options, 1);
          } catch (IllegalArgumentException e) {
            throw new CannotRun(name + " cannot run on this table: " + e.getMessage() + " in the training rows of fold "
                + ff + (options.algorithm() == Algorithm.MLP ? " (the MLP needs every class in every training fold; "
                    + "xgb and forest keep an absent class)" : ""));
          }
          for (int i : test) {
            raw[i] = model.predictProba(data.x()[i]);
          }
          progress.fitted("fold " + (ff + 1) + "/" + k + ", " + name, done.incrementAndGet(), k);
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double[][] proba = new double[n][];
    int[] predicted = new int[n];
    List<CrossValidation.Fold> details = new ArrayList<>();
    List<String> perFold = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      final int ff = f;
      int[] test = IntStream.range(0, n).filter(i -> fold[i] == ff).toArray();
      int[] other = IntStream.range(0, n).filter(i -> fold[i] != ff).toArray();
      double[][] otherProba = new double[other.length][];
      int[] otherY = new int[other.length];
      for (int i = 0; i < other.length; i++) {
        otherProba[i] = raw[other[i]];
        otherY[i] = y[other[i]];
      }
      ProbabilityCalibration map = ProbabilityCalibration.fit(TrainingRecipe.CALIBRATION, otherY, otherProba, target);
      double[][] otherCalibrated = Arrays.stream(otherProba).map(map::apply).toArray(double[][]::new);
      TrainingOptions decided = options.costs() == null ? options : ModelSelection.capMissCost(options,
          otherCalibrated, otherY, target, TrainingRecipe.REQUIRED_SPECIFICITY);
      for (int i : test) {
        proba[i] = map.apply(raw[i]);
        predicted[i] = decided.costs() == null ? Classifier.argMax(proba[i]) : decided.costs().decide(proba[i]);
      }
      perFold.add(decided.label() + missCostNote(decided, target, options.costs() == null ? 1
          : ModelSelection.missCost(options.costs(), target)));
      details.add(new CrossValidation.Fold(f, other, test, 0));
    }
    CrossValidation.Result cv = new CrossValidation.Result(options, k, null, proba, predicted,
        ClassificationMetrics.of(y, proba, predicted, data.classes()), List.copyOf(details), seconds);
    return new Outcome(name, cv, perFold, null, k);
  }

  /** Multi-class Brier score: mean over rows of the squared distance of the probabilities to the one-hot truth. */
  public static double brier(int[] y, double[][] proba) {
    return CandidateSearch.brier(y, proba);
  }

  /** Classes with fewer rows than this are reported "too rare to estimate" beside their figures. */
  public static final int TOO_RARE = 5;

  /** The figures as plain names and values, for metrics.json. */
  public static Map<String, Object> asMap(Outcome o, FeatureTable data, int target) {
    ClassificationMetrics m = o.cv().metrics();
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("strategy", o.label());
    map.put("targetClass", data.classes().get(target));
    map.put("rows", data.rows());
    map.put("folds", o.cv().folds());
    map.put("evaluation", "out-of-fold: each row predicted once, by the model of the fold that did not train on it, "
        + "pooled over the folds");
    map.put("configurationPerFold", o.perFold());
    if (o.deployed() != null) {
      map.put("selectionOnAllRows", o.deployed().selection().asMap());
      map.put("deployedConfiguration", o.deployed().model().options().label());
    } else {
      map.put("hyperparameters", o.cv().options().asMap());
    }
    map.put("outOfFoldPerClass", m.perClass());
    List<String> tooRare = new ArrayList<>();
    for (ClassificationMetrics.PerClass pc : m.perClass()) {
      if (pc.support() < TOO_RARE) {
        tooRare.add(pc.label());
      }
    }
    map.put("tooRareToEstimate", tooRare);
    map.put("macroF1", m.macroF1());
    map.put("balancedAccuracy", m.balancedAccuracy());
    map.put("accuracy", m.accuracy());
    map.put("brier", brier(data.y(), o.cv().proba()));
    map.put("confusion", m.confusion());
    map.put("modelsTrained", o.modelsTrained());
    map.put("crossValidationSeconds", o.cv().trainSeconds());
    return map;
  }
}
