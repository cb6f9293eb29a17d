package io.medpipe.training.card;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of the DMN decision clinical-validation for one training run, as the model card lists it: every rule
 * with its measured value, threshold and verdict, the overall verdict and the reasons of any failure.
 *
 * @param failures the reasons in words, as the process shows them (validationFailures)
 */
public record ClinicalValidation(boolean passed, List<Rule> rules, List<String> failures) {

  /**
   * One row of the decision.
   *
   * @param value the measured value; null when it was not measured (which fails)
   */
  public record Rule(String rule, Double value, Double threshold, boolean passed) {
  }

  public ClinicalValidation {
    rules = List.copyOf(rules);
    failures = List.copyOf(failures);
  }

  /** From the decision's result list: maps with rule, value, threshold and passed (numbers or null). */
  public static ClinicalValidation of(List<? extends Map<?, ?>> rows, boolean passed, List<String> failures) {
    List<Rule> rules = new ArrayList<>();
    for (Map<?, ?> row : rows) {
      rules.add(new Rule(String.valueOf(row.get("rule")), number(row.get("value")), number(row.get("threshold")),
          Boolean.TRUE.equals(row.get("passed"))));
    }
    return new ClinicalValidation(passed, rules, failures);
  }

  private static Double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : null;
  }

  /** As the JSON model card stores it. */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("decision", "clinical-validation (processes/clinical-validation.dmn)");
    map.put("passed", passed);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Rule r : rules) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("rule", r.rule());
      row.put("value", r.value());
      row.put("threshold", r.threshold());
      row.put("passed", r.passed());
      list.add(row);
    }
    map.put("rules", list);
    map.put("failures", failures);
    return map;
  }
}
