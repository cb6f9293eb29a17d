package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A trained, immutable classifier over {@link FeatureTable}-encoded rows, whatever its algorithm: what serving,
 * evaluation and the registry use. One type per algorithm implements it ({@link RandomForestModel},
 * {@link GradientBoostingModel}, {@link MlpModel}), each with its own static {@code fit(table, options)}; {@link #fit}
 * picks the one the options name.
 *
 * <p>Rows are in {@link FeatureTable} encoding, NaN for missing; a model imputes them as its training did. Every
 * derivation ({@link #withCalibration}, {@link #withRun}) returns a new model and leaves this one unchanged.
 */
public interface Classifier {

  /** The features a row must have, in order. */
  List<Feature> features();

  /** The classes, indexed like the probabilities. */
  List<String> classes();

  /** The configuration the model was fitted with (its cost matrix decides). */
  TrainingOptions options();

  /** How the model was made. */
  ModelProvenance provenance();

  /**
   * Class probabilities of one row, indexed like {@link #classes()}: the algorithm's own, then recalibrated by
   * {@link #calibration()} if the model has one.
   *
   * @param row values in {@link FeatureTable} encoding; NaN = missing, imputed as in training
   * @throws IllegalArgumentException if the row has another width than {@link #features()}
   */
  double[] predictProba(double[] row);

  /**
   * The class the model decides for one row: {@link #decide} applied to {@link #predictProba}. This is the decision
   * evaluation and clinical validation measured, and the one serving answers.
   */
  default int predict(double[] row) {
    return decide(predictProba(row));
  }

  /**
   * The clinical decision for given probabilities: the class of least expected cost under the options' cost matrix
   * (threshold moving), or the most probable class without one. Evaluation and validation use this decision, on
   * {@link #predictProba}'s probabilities (calibrated when the model is), so a cost matrix is applied to the
   * probabilities it is Bayes-optimal for.
   */
  default int decide(double[] proba) {
    CostMatrix costs = options().costs();
    return costs == null ? argMax(proba) : costs.decide(proba);
  }

  /** Whether {@link #explain} can explain this model (exact TreeSHAP needs trees: false for an MLP). */
  boolean explainable();

  /**
   * What this model's explanations measure, in words (the scale of {@link Explanation#baseValue()},
   * {@link Explanation#modelOutput()} and the contributions); null when it has none. A single explanation may state
   * another scale where the usual one does not hold for its row.
   */
  String explanationScale();

  /**
   * Global importance of each feature, in feature order (mean |SHAP| over training rows, summed over the classes, on
   * {@link #explanationScale()}), as recorded when the model was made; empty when it was not (models made before it
   * was recorded, or without an exact explanation). What the prediction API weighs the completeness of an input by.
   */
  default Optional<double[]> featureImportance() {
    return Optional.empty();
  }

  /**
   * This model with {@link #featureImportance()} computed on {@code rows} (training rows); the model itself where its
   * type records none (the older types, an MLP).
   */
  default Classifier withFeatureImportance(double[][] rows) {
    return this;
  }

  /**
   * Explains the model's decision for one row ({@link #predict}, the class {@link #decide} picks from
   * {@link #predictProba}); see {@link #explain(double[], int, int)}.
   *
   * @param topK how many contributions to keep (at most the number of features)
   */
  default Explanation explain(double[] row, int topK) {
    return explain(row, decide(predictProba(row)), topK);
  }

  /**
   * Explains class {@code cls} of one row. Serving passes the class it decided, so the explanation is always of the
   * diagnosis the response gives. The scale of the figures is the model type's ({@link Explanation#scale()}).
   *
   * @param cls  the class to explain, an index into {@link #classes()}
   * @param topK how many contributions to keep (at most the number of features)
   * @throws UnsupportedOperationException if the model is not {@link #explainable()}
   */
  Explanation explain(double[] row, int cls, int topK);

  /**
   * Global importance: mean |SHAP| per feature over the given rows, in feature order.
   *
   * @throws UnsupportedOperationException if the model is not {@link #explainable()}
   */
  double[] meanAbsShap(double[][] rows);

  /** The calibration {@link #predictProba} applies, if any. */
  Optional<ProbabilityCalibration> calibration();

  /**
   * This model with {@code calibration} applied at the end of {@link #predictProba} (so {@link #decide} decides on
   * calibrated probabilities), recorded in provenance as {@code record}. The model itself is not changed.
   *
   * @param calibration the map, fitted on predictions of rows this model's configuration did not train on; null to
   *                    derive an uncalibrated model
   * @param record      what provenance keeps of it (null: the map's parameters only, or nothing without a map)
   * @throws IllegalArgumentException if the map calibrates a class the model does not have
   */
  Classifier withCalibration(ProbabilityCalibration calibration, ModelProvenance.Calibration record);

  /** This model without its calibration: the algorithm's own probabilities, for before/after reports. */
  Classifier uncalibrated();

  /** This model with the pipeline run that made it in its provenance. */
  Classifier withRun(ModelProvenance.Run run);

  /** The model as an artifact, readable by {@link #fromBytes}. */
  default byte[] toBytes() {
    return ModelArtifact.write(this);
  }

  /**
   * Fits the model type of {@code options.algorithm()} on every row of {@code train}.
   *
   * @throws IllegalArgumentException if a class has no training row (the model could never predict it, and Smile would
   *                                  silently renumber the remaining classes), or the options do not fit the table
   */
  static Classifier fit(FeatureTable train, TrainingOptions options) {
    return fit(train, options, null);
  }

  /**
   * {@link #fit(FeatureTable, TrainingOptions)}, with a related table for an MLP that pre-trains on one (see
   * {@link MlpModel#fit(FeatureTable, TrainingOptions, FeatureTable)}); the tree models ignore it.
   */
  static Classifier fit(FeatureTable train, TrainingOptions options, FeatureTable source) {
    Objects.requireNonNull(options, "options");
    return switch (options.algorithm()) {
      case RANDOM_FOREST -> RandomForestModel.fit(train, options);
      case GRADIENT_BOOSTING -> GradientBoostingModel.fit(train, options);
      case MLP -> MlpModel.fit(train, options, source);
      case XGBOOST -> XgboostModel.fit(train, options, 1);
      case FOREST -> ForestModel.fit(train, options, 1);
    };
  }

  /**
   * {@link #fit(FeatureTable, TrainingOptions)} on up to {@code threads} threads where the algorithm can use them
   * (XGBoost, medpipe's forest); the model is the same whatever the number. Cross-validation fits several models at
   * once on one thread each; a single large fit takes the machine's cores.
   */
  static Classifier fit(FeatureTable train, TrainingOptions options, int threads) {
    Objects.requireNonNull(options, "options");
    return switch (options.algorithm()) {
      case XGBOOST -> XgboostModel.fit(train, options, threads);
      case FOREST -> ForestModel.fit(train, options, threads);
      default -> fit(train, options, (FeatureTable) null);
    };
  }

  /**
   * Reads a model written by {@link #toBytes}, by this version or an earlier one of medpipe.
   *
   * @throws IllegalArgumentException if the bytes are not a model or name a class outside the allow-list
   */
  static Classifier fromBytes(byte[] bytes) {
    return ModelArtifact.read(bytes);
  }

  /** The index of the largest probability (the first one on ties): the most probable class. */
  static int argMax(double[] p) {
    int best = 0;
    for (int j = 1; j < p.length; j++) {
      if (p[j] > p[best]) {
        best = j;
      }
    }
    return best;
  }
}
