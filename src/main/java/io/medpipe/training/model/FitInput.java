package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.resampling.Resampler;
import io.medpipe.training.resampling.Resampling;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import smile.data.DataFrame;
import smile.data.formula.Formula;
import smile.data.vector.IntVector;

/**
 * The training rows as every algorithm receives them: checked against the options, imputed, then resampled (after
 * imputation, since SMOTE needs complete rows, and on these rows only, so during cross-validation resampling only ever
 * sees a training fold).
 *
 * @param train     the table handed to fit
 * @param mtry      features tried per split: the options' value, or floor(sqrt(features)) for 0
 * @param imputer   learned from {@code train}
 * @param imputed   {@code train}'s rows, imputed
 * @param resampled the imputed rows after resampling: what the algorithm is fitted on
 * @param trainedAt when fitting started
 */
record FitInput(FeatureTable train, TrainingOptions options, int mtry, Imputer imputer, double[][] imputed,
                Resampler.Result resampled, Instant trainedAt) {

  /** The response column's name inside a Smile data frame; chosen so that no snake_case feature can clash. */
  static final String LABEL_COLUMN = "__medpipe_class__";

  /**
   * Checks, imputes and resamples.
   *
   * <p>The model types written before tiny classes were handled ({@link Algorithm#RANDOM_FOREST},
   * {@link Algorithm#GRADIENT_BOOSTING}, {@link Algorithm#MLP}) refuse a class without training rows: Smile renumbers
   * the classes it sees. {@link Algorithm#XGBOOST} and {@link Algorithm#FOREST} keep every class of the table, an
   * absent one with probability 0 (forest) or the little its trees give it (boosting), so that cross-validation can put
   * a class of one row in a test fold. XGBoost without resampling takes missing values as they are (no imputation).
   *
   * @throws IllegalArgumentException if a class has no training row (older model types), fewer than 2 classes have
   *                                  rows, there are no features, the cost matrix has another number of classes, or
   *                                  mtry exceeds the features
   */
  static FitInput of(FeatureTable train, TrainingOptions options) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(options, "options");
    List<String> classes = train.classes();
    int p = train.features().size();
    int k = classes.size();
    if (p == 0) {
      throw new IllegalArgumentException("no features to train on");
    }
    if (k < 2) {
      throw new IllegalArgumentException("need at least 2 classes, got " + classes);
    }
    int[] counts = train.classCounts();
    boolean keepsAbsentClasses = options.algorithm() == Algorithm.XGBOOST || options.algorithm() == Algorithm.FOREST;
    int present = 0;
    for (int c = 0; c < k; c++) {
      if (counts[c] == 0 && !keepsAbsentClasses) {
        throw new IllegalArgumentException("class " + classes.get(c) + " has no training rows");
      }
      present += counts[c] > 0 ? 1 : 0;
    }
    if (present < 2) {
      throw new IllegalArgumentException("need training rows of at least 2 classes, got rows of " + present + " of "
          + classes);
    }
    if (options.costs() != null && options.costs().classes() != k) {
      throw new IllegalArgumentException("the cost matrix has " + options.costs().classes() + " classes, the data "
          + k);
    }
    int mtry = options.mtry() == 0 ? Math.max(1, (int) Math.floor(Math.sqrt(p))) : options.mtry();
    if (mtry > p) {
      throw new IllegalArgumentException("mtry " + mtry + " exceeds the " + p + " features");
    }
    // SMOTE interpolates between complete rows, so XGBoost imputes only when it resamples
    boolean nativeMissing = options.algorithm() == Algorithm.XGBOOST && options.resampling() == Resampling.NONE;
    Imputer imputer = nativeMissing ? Imputer.none(p) : Imputer.fit(train);
    double[][] x = new double[train.rows()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = imputer.impute(train.x()[i]);
    }
    Resampler.Result resampled = Resampler.apply(options.resampling(), train.features(), x, train.y(), k,
        options.seed());
    return new FitInput(train, options, mtry, imputer, x, resampled, Instant.now());
  }

  List<Feature> features() {
    return train.features();
  }

  List<String> classes() {
    return train.classes();
  }

  /** The feature names, in order. */
  String[] names() {
    return train.features().stream().map(Feature::name).toArray(String[]::new);
  }

  /** Rows per class after resampling, in class order. */
  int[] fittedCounts() {
    int[] counts = new int[classes().size()];
    for (int label : resampled.y()) {
      counts[label]++;
    }
    return counts;
  }

  /** The resampled rows as a Smile data frame with the class in {@link #LABEL_COLUMN}, for the tree learners. */
  DataFrame frame() {
    return DataFrame.of(resampled.x(), names()).merge(IntVector.of(LABEL_COLUMN, resampled.y()));
  }

  /** The formula "the class from every other column" for the tree learners. */
  static Formula formula() {
    return Formula.lhs(LABEL_COLUMN);
  }

  /** The provenance of a model fitted on these rows, with the algorithm's own figures. */
  ModelProvenance provenance(ModelProvenance.Details details) {
    return new ModelProvenance(options.label(), options, trainedAt,
        new ModelProvenance.Data(train.rows(), ModelProvenance.classCounts(classes(), train.classCounts()),
            ModelProvenance.tableSha256(train)),
        new ModelProvenance.Resampled(resampled.method(), resampled.synthetic(),
            ModelProvenance.classCounts(classes(), fittedCounts())),
        imputer.provenance(features()), ModelProvenance.Software.current(), details, null, null);
  }
}
