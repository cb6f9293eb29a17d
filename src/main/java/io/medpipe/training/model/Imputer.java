package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.FeatureType;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The values that replace missing ones (NaN), one per feature, learned from the training rows only (so that no test
 * information leaks in) and kept in the model, so that serving imputes exactly as training did.
 */
final class Imputer implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  /** The rule, in the words provenance records. */
  static final String RULE = "training rows only: median for NUMERIC, most frequent code for BINARY and "
      + "CATEGORICAL (a median of codes is not a level), 0 for a column missing in every training row";

  /** The rule of {@link #none}: the learner handles missing values itself. */
  static final String NONE_RULE = "none: a missing value (NaN) goes down the branch each split learned for missing "
      + "values in training (XGBoost's default direction)";

  private final double[] values;
  /** Features missing in every training row (imputed with 0, so they carry no signal). */
  private final List<String> allMissing;
  /** How the values were learned, for provenance; null in models saved before it was kept (then {@link #RULE}). */
  private final String rule;

  Imputer(double[] values, List<String> allMissing) {
    this(values, allMissing, RULE);
  }

  private Imputer(double[] values, List<String> allMissing, String rule) {
    this.values = values.clone();
    this.allMissing = List.copyOf(allMissing);
    this.rule = rule;
  }

  /**
   * An imputer that leaves every missing value missing, for a learner that handles NaN itself; it still checks a row's
   * width.
   */
  static Imputer none(int features) {
    double[] values = new double[features];
    Arrays.fill(values, Double.NaN);
    return new Imputer(values, List.of(), NONE_RULE);
  }

  /** Learns the values from {@code train}'s rows. */
  static Imputer fit(FeatureTable train) {
    int p = train.features().size();
    double[] values = new double[p];
    List<String> allMissing = new ArrayList<>();
    for (int j = 0; j < p; j++) {
      double[] column = new double[train.rows()];
      int m = 0;
      for (double[] row : train.x()) {
        if (!Double.isNaN(row[j])) {
          column[m++] = row[j];
        }
      }
      Feature feature = train.features().get(j);
      if (m == 0) {
        values[j] = 0; // nothing to learn from; the column then carries no signal, which is noted in provenance
        allMissing.add(feature.name());
      } else if (feature.type() == FeatureType.NUMERIC) {
        values[j] = median(Arrays.copyOf(column, m));
      } else {
        values[j] = mostFrequent(Arrays.copyOf(column, m));
      }
    }
    return new Imputer(values, allMissing);
  }

  private static double median(double[] v) {
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** The most frequent value, the smallest on ties (deterministic). */
  private static double mostFrequent(double[] v) {
    Arrays.sort(v);
    double best = v[0];
    int bestRun = 0;
    int i = 0;
    while (i < v.length) {
      int j = i;
      while (j < v.length && v[j] == v[i]) {
        j++;
      }
      if (j - i > bestRun) {
        bestRun = j - i;
        best = v[i];
      }
      i = j;
    }
    return best;
  }

  /** A copy of {@code row} with every NaN replaced by its feature's value. */
  double[] impute(double[] row) {
    double[] out = row.clone();
    for (int j = 0; j < out.length; j++) {
      if (Double.isNaN(out[j])) {
        out[j] = values[j];
      }
    }
    return out;
  }

  /**
   * {@link #impute} of a row handed in from outside (a request, a table).
   *
   * @throws IllegalArgumentException if the row has another width than the model's features
   */
  double[] imputeChecked(double[] row) {
    Objects.requireNonNull(row, "row");
    if (row.length != values.length) {
      throw new IllegalArgumentException("row has " + row.length + " values, expected " + values.length);
    }
    return impute(row);
  }

  /** What provenance records of this imputation. */
  ModelProvenance.Imputation provenance(List<Feature> features) {
    java.util.LinkedHashMap<String, Double> byName = new java.util.LinkedHashMap<>();
    for (int j = 0; j < features.size(); j++) {
      if (!Double.isNaN(values[j])) { // none for a learner that takes missing values as they are
        byName.put(features.get(j).name(), values[j]);
      }
    }
    return new ModelProvenance.Imputation(byName, rule == null ? RULE : rule, allMissing);
  }
}
