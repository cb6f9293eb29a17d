package io.medpipe.serving;

import io.medpipe.dataset.Feature;
import io.medpipe.training.model.Classifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How complete one input is for a model: the share of the model's features that were sent, each weighted by its
 * global importance (the mean |SHAP| over training rows the model recorded, normalised to sum to 1), or equally for a
 * model that recorded none (models made before it was recorded, an MLP).
 *
 * <p>Why weighted: a model explained almost entirely by its lab values answers nearly from the prior when only age and
 * sex are sent; a plain count would call that 2 of 8 features, the weighting says how little of what the model relies
 * on was there.
 *
 * @param weights per feature, in feature order, summing to 1
 * @param source  where the weights come from, in words
 */
record InputCompleteness(double[] weights, String source) {

  static final String IMPORTANCE = "mean |SHAP| over training rows, per feature, normalised";
  static final String EQUAL = "equal weights (the model records no feature importance)";

  /** The weights of a model. */
  static InputCompleteness of(Classifier model) {
    int p = model.features().size();
    double[] importance = model.featureImportance().orElse(null);
    double total = 0;
    if (importance != null) {
      for (double v : importance) {
        total += Double.isFinite(v) && v > 0 ? v : 0;
      }
    }
    double[] weights = new double[p];
    if (importance == null || importance.length != p || total <= 0) {
      java.util.Arrays.fill(weights, 1.0 / p);
      return new InputCompleteness(weights, EQUAL);
    }
    for (int j = 0; j < p; j++) {
      weights[j] = Double.isFinite(importance[j]) && importance[j] > 0 ? importance[j] / total : 0;
    }
    return new InputCompleteness(weights, IMPORTANCE);
  }

  /** The weighted share of features present (not NaN) in an encoded row, in [0, 1]. */
  double of(double[] row) {
    double sent = 0;
    for (int j = 0; j < row.length; j++) {
      if (!Double.isNaN(row[j])) {
        sent += weights[j];
      }
    }
    return Math.min(1, sent);
  }

  /** The weights by feature name, for the model description. */
  Map<String, Double> byName(List<Feature> features) {
    Map<String, Double> map = new LinkedHashMap<>();
    for (int j = 0; j < features.size(); j++) {
      map.put(features.get(j).name(), weights[j]);
    }
    return map;
  }
}
