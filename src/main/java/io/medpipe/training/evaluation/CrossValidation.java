package io.medpipe.training.evaluation;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.TrainingOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Stratified k-fold cross-validation with pooled out-of-fold predictions: every row is predicted exactly once, by
 * the model fitted on the other folds, and all predictions are evaluated together (a rare class of 13 rows has 2-3
 * rows per fold; per-fold metrics of it would be noise).
 *
 * <p>Each fold's model is made by {@link Classifier#fit} from that fold's training rows only, so imputation and
 * resampling (SMOTE, undersampling) never see a test row, and no synthetic row is ever predicted or scored.
 */
public final class CrossValidation {

  public static final int DEFAULT_FOLDS = 5;

  /**
   * One fold's partition and what its model was fitted on.
   *
   * @param syntheticRows rows the fold's resampling made up (they exist only inside the fold's fit)
   */
  public record Fold(int index, int[] trainRows, int[] testRows, int syntheticRows) {
  }

  /**
   * @param folds         number of folds actually used
   * @param note          why fewer folds than asked were used; null if none
   * @param proba         out-of-fold probability per row and class
   * @param predicted     out-of-fold decided class per row (cost matrix applied when the options have one)
   * @param metrics       metrics of the pooled out-of-fold predictions
   * @param foldDetails   per fold
   * @param trainSeconds  wall time of all fits
   */
  public record Result(TrainingOptions options, int folds, String note, double[][] proba, int[] predicted,
                       ClassificationMetrics metrics, List<Fold> foldDetails, double trainSeconds) {
  }

  private CrossValidation() {
  }

  /**
   * Cross-validates with seeded stratified folds.
   *
   * <p>Fallback: when the smallest class has fewer rows than {@code k}, the number of folds is reduced to that size
   * (so that every fold keeps at least one row of each class) and the result says so.
   *
   * @throws IllegalArgumentException with a specific reason for a single-class label or a class of fewer than 2 rows
   */
  public static Result run(FeatureTable data, TrainingOptions options, int k, long seed) {
    Objects.requireNonNull(data, "data");
    int[] counts = data.classCounts();
    String note = null;
    int smallest = Integer.MAX_VALUE;
    String smallestClass = null;
    int present = 0;
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] > 0) {
        present++;
        if (counts[c] < smallest) {
          smallest = counts[c];
          smallestClass = data.classes().get(c);
        }
      }
    }
    if (present < 2) {
      throw new IllegalArgumentException("the label has a single class " + data.classes()
          + ": a classifier needs at least two classes with rows");
    }
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] == 0) {
        throw new IllegalArgumentException("class " + data.classes().get(c) + " has no rows");
      }
    }
    if (smallest < 2) {
      throw new IllegalArgumentException("class " + smallestClass + " has only " + smallest
          + " row: cross-validation needs at least 2 rows per class (one to train on, one to test)");
    }
    int used = k;
    if (smallest < k) {
      used = smallest;
      note = "class " + smallestClass + " has only " + smallest + " rows, fewer than the " + k + " folds asked for: "
          + "cross-validated with " + used + " folds";
    }
    Result result = run(data, options, StratifiedSplit.folds(data.y(), used, seed));
    return new Result(result.options(), result.folds(), note, result.proba(), result.predicted(), result.metrics(),
        result.foldDetails(), result.trainSeconds());
  }

  /** Cross-validates with given folds, e.g. a peer tool's {@code folds_seed42.csv}. */
  public static Result run(FeatureTable data, TrainingOptions options, int[] fold) {
    Objects.requireNonNull(fold, "fold");
    if (fold.length != data.rows()) {
      throw new IllegalArgumentException("fold assignment has " + fold.length + " rows, data " + data.rows());
    }
    int k = Arrays.stream(fold).max().orElse(-1) + 1;
    int n = data.rows();
    double[][] proba = new double[n][];
    int[] predicted = new int[n];
    List<Fold> details = new ArrayList<>();
    long start = System.nanoTime();
    for (int f = 0; f < k; f++) {
      int[] test = rows(fold, f, true);
      int[] train = rows(fold, f, false);
      if (test.length == 0) {
        continue;
      }
      Classifier model = Classifier.fit(data.subset(train), options);
      for (int i : test) {
        proba[i] = model.predictProba(data.x()[i]);
        predicted[i] = model.decide(proba[i]);
      }
      details.add(new Fold(f, train, test, model.provenance().resampled().syntheticRows()));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(options, k, null, proba, predicted,
        ClassificationMetrics.of(data.y(), proba, predicted, data.classes()), List.copyOf(details), seconds);
  }

  /**
   * The result with its out-of-fold probabilities recalibrated by cross-fitting: the rows of each fold are mapped by a
   * calibration of class {@code cls} fitted on the out-of-fold predictions of the other folds (so no row calibrates
   * itself, and every map sees the natural prevalence), then decided again by the options' rule. These are the
   * decisions a calibrated model of these options would have served. {@link ProbabilityCalibration.Method#NONE}
   * returns the result unchanged; a fold whose map cannot be fitted keeps its probabilities, and the note says so.
   */
  public static Result recalibrate(Result cv, int[] truth, List<String> classes,
                                   ProbabilityCalibration.Method method, int cls) {
    if (method == ProbabilityCalibration.Method.NONE) {
      return cv;
    }
    int n = truth.length;
    double[][] proba = new double[n][];
    int[] predicted = new int[n];
    String note = cv.note();
    for (Fold fold : cv.foldDetails()) {
      boolean[] inFold = new boolean[n];
      for (int i : fold.testRows()) {
        inFold[i] = true;
      }
      int[] otherTruth = new int[n - fold.testRows().length];
      double[][] other = new double[otherTruth.length][];
      for (int i = 0, m = 0; i < n; i++) {
        if (!inFold[i]) {
          otherTruth[m] = truth[i];
          other[m++] = cv.proba()[i];
        }
      }
      ProbabilityCalibration map = null;
      try {
        map = ProbabilityCalibration.fit(method, otherTruth, other, cls);
      } catch (IllegalArgumentException e) {
        note = (note == null ? "" : note + "; ") + "fold " + fold.index() + " not recalibrated: " + e.getMessage();
      }
      for (int i : fold.testRows()) {
        proba[i] = map == null ? cv.proba()[i] : map.apply(cv.proba()[i]);
        predicted[i] = cv.options().costs() == null ? Classifier.argMax(proba[i])
            : cv.options().costs().decide(proba[i]);
      }
    }
    return new Result(cv.options(), cv.folds(), note, proba, predicted,
        ClassificationMetrics.of(truth, proba, predicted, classes), cv.foldDetails(), cv.trainSeconds());
  }

  private static int[] rows(int[] fold, int f, boolean in) {
    return java.util.stream.IntStream.range(0, fold.length).filter(i -> (fold[i] == f) == in).toArray();
  }
}
