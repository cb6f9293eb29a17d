package io.medpipe.serving;

import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import java.util.List;
import java.util.Locale;

/**
 * How a served model turns its probabilities into the class the API answers, stated in every response: the same
 * decision the model was evaluated and clinically validated with ({@link Classifier#decide}).
 *
 * @param rule           {@value #LEAST_EXPECTED_COST} (the model's cost matrix, threshold moving) or {@value #ARGMAX}
 *                       (a model trained without one: the most probable class)
 * @param threshold      for two classes, the rule as a threshold: {@code thresholdClass} is answered exactly when its
 *                       probability is GREATER than this (1 / (1 + miss cost) under the usual clinical matrix, 0.5 for
 *                       argmax); null for more classes, where no single probability threshold exists
 * @param thresholdClass the class the threshold is on (the second class, which for medpipe's binary targets is the
 *                       rare diagnosis); null for more classes
 * @param description    the rule in words with its numbers, for any number of classes, e.g. "fabry if P(fabry) &gt;
 *                       P(most probable other class) / 5, else the most probable class"
 * @param costMatrix     {@code cost[truth][decided]}; null for argmax
 */
public record DecisionRule(String rule, Double threshold, String thresholdClass, String description,
                           List<List<Double>> costMatrix) {

  public static final String LEAST_EXPECTED_COST = "least-expected-cost";
  public static final String ARGMAX = "argmax";

  /** The rule of this model's {@link Classifier#decide}. */
  public static DecisionRule of(Classifier model) {
    return of(model.options().costs(), model.classes());
  }

  /** The rule of {@link Classifier#decide} under these costs (null = none) for these classes. */
  static DecisionRule of(CostMatrix costs, List<String> classes) {
    boolean binary = classes.size() == 2;
    if (costs == null) {
      // argmax keeps the first class on ties: the second wins only with p > 0.5
      return new DecisionRule(ARGMAX, binary ? 0.5 : null, binary ? classes.get(1) : null,
          "the most probable class", null);
    }
    List<List<Double>> c = costs.asList();
    Double threshold = null;
    if (binary) {
      // expected costs: class 0 costs p1 * c[1][0], class 1 costs (1 - p1) * c[0][1]; ties keep class 0, so class 1
      // is decided exactly when p1 > c[0][1] / (c[0][1] + c[1][0])
      double falseAlarm = c.get(0).get(1);
      double miss = c.get(1).get(0);
      threshold = falseAlarm + miss == 0 ? 1.0 : falseAlarm / (falseAlarm + miss);
    }
    return new DecisionRule(LEAST_EXPECTED_COST, threshold, binary ? classes.get(1) : null, describe(c, classes),
        c);
  }

  /**
   * The usual clinical matrix (missing class r costs m, every other error 1) in words: r's expected cost is
   * 1 - p_r and any other class j's is 1 + (m - 1) p_r - p_j, so r is answered exactly when p_r > p_j / m for every
   * other j. Any other matrix is described generically.
   */
  private static String describe(List<List<Double>> c, List<String> classes) {
    int k = classes.size();
    int rare = -1;
    double miss = 1;
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        double v = c.get(i).get(j);
        if (i == j || v == 1) {
          continue;
        }
        if ((rare == -1 || rare == i) && (miss == 1 || miss == v) && v > 1) {
          rare = i;
          miss = v;
        } else {
          return "the class of least expected cost under costMatrix (cost[truth][decided])";
        }
      }
    }
    if (rare == -1) {
      return "the most probable class (every error costs the same)";
    }
    for (int j = 0; j < k; j++) {
      if (j != rare && c.get(rare).get(j) != miss) {
        return "the class of least expected cost under costMatrix (cost[truth][decided])";
      }
    }
    String name = classes.get(rare);
    String m = String.format(Locale.ROOT, "%s", miss == Math.rint(miss) ? String.valueOf((long) miss) : miss);
    return k == 2
        ? name + " if P(" + name + ") > P(" + classes.get(1 - rare) + ") / " + m + ", else " + classes.get(1 - rare)
        : name + " if P(" + name + ") > P(most probable other class) / " + m + ", else the most probable class";
  }
}
