package io.medpipe.serving;

import io.medpipe.training.ClassifierModel;
import io.medpipe.training.CostMatrix;
import java.util.List;

/**
 * How a served model turns its probabilities into the class the API answers, stated in every response: the same
 * decision the model was evaluated and clinically validated with ({@link ClassifierModel#decide}).
 *
 * @param rule           {@value #LEAST_EXPECTED_COST} (the model's cost matrix, threshold moving) or {@value #ARGMAX}
 *                       (a model trained without one: the most probable class)
 * @param threshold      for two classes, the rule as a threshold: {@code thresholdClass} is answered exactly when its
 *                       probability is GREATER than this (1 / (1 + miss cost) under the usual clinical matrix, 0.5 for
 *                       argmax); null for more classes, where no single threshold exists
 * @param thresholdClass the class the threshold is on (the second class, which for medpipe's binary targets is the
 *                       rare diagnosis); null for more classes
 * @param costMatrix     {@code cost[truth][decided]}; null for argmax
 */
public record DecisionRule(String rule, Double threshold, String thresholdClass, List<List<Double>> costMatrix) {

  public static final String LEAST_EXPECTED_COST = "least-expected-cost";
  public static final String ARGMAX = "argmax";

  /** The rule of this model's {@link ClassifierModel#decide}. */
  public static DecisionRule of(ClassifierModel model) {
    return of(model.options().costs(), model.classes());
  }

  /** The rule of {@link ClassifierModel#decide} under these costs (null = none) for these classes. */
  static DecisionRule of(CostMatrix costs, List<String> classes) {
    boolean binary = classes.size() == 2;
    if (costs == null) {
      // argmax keeps the first class on ties: the second wins only with p > 0.5
      return new DecisionRule(ARGMAX, binary ? 0.5 : null, binary ? classes.get(1) : null, null);
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
    return new DecisionRule(LEAST_EXPECTED_COST, threshold, binary ? classes.get(1) : null, c);
  }
}
