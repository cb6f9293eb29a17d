package io.medpipe.dataset;

import java.util.List;
import java.util.Map;

/**
 * Exploratory analysis of a snapshot, imbalance first: how rare each class is, and how complete each feature is.
 *
 * @param imbalanceRatio majority class count / minority class count
 * @param notEvaluable   classes with too few rows to be split into training and test data
 */
public record EdaReport(int rows, List<ClassShare> classes, String majorityClass, String minorityClass,
                        int minorityCount, double imbalanceRatio, List<FeatureSummary> features,
                        List<String> notEvaluable) {

  public record ClassShare(String label, int count, double share, double ratioToMajority) {}

  /**
   * Missing share, distribution (min, median, max, standard deviation) and, per class, the mean of the observed
   * values; {@code separation} is the largest standardised difference of a class mean from the overall mean
   * (how much the feature differs between classes; the HTML report draws histograms of the top ones).
   */
  public record FeatureSummary(String name, String type, double missingShare, double mean,
                               Map<String, Double> meanByClass, double min, double median, double max, double sd,
                               double separation) {}
}
