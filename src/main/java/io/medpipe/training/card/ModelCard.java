package io.medpipe.training.card;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.evaluation.BootstrapCi;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.HeldOutEvaluation;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.Explanation;
import io.medpipe.training.model.MlpModel;
import io.medpipe.training.model.ModelProvenance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model card (Mitchell et al. 2019) of one training run: rendered from the model's provenance, the candidate
 * selection and the held-out evaluation, as JSON (for machines) and self-contained HTML with inline SVG ROC,
 * precision-recall and calibration curves (for the Medical QA reviewer).
 */
public final class ModelCard {

  /** Below this many held-out cases a class's figures are flagged as not evaluable. */
  static final int MIN_EVALUABLE_CASES = 10;

  private ModelCard() {
  }

  /**
   * The card's content.
   *
   * @param selection the run's candidate selection (from its params), may be null
   */
  public static Map<String, Object> json(String runId, String snapshotId, String targetClass, Classifier model,
                                         Map<String, Object> selection, HeldOutEvaluation evaluation,
                                         FeatureTable test) {
    return json(runId, snapshotId, targetClass, model, selection, evaluation, test, 0);
  }

  /**
   * The card's content, with figures from held-out rows ({@code outOfFoldFolds} 0) or from out-of-fold predictions
   * pooled over that many folds ({@code medpipe evaluate}): then they are called {@code outOfFoldMetrics}, not
   * {@code heldOutMetrics}, and the rows they come from were also the training rows of the other folds' models.
   */
  public static Map<String, Object> json(String runId, String snapshotId, String targetClass, Classifier model,
                                         Map<String, Object> selection, HeldOutEvaluation evaluation,
                                         FeatureTable test, int outOfFoldFolds) {
    boolean outOfFold = outOfFoldFolds > 0;
    ModelProvenance provenance = model.provenance();
    Map<String, Object> card = new LinkedHashMap<>();
    card.put("trainingRunId", runId);
    card.put("intendedUse", "Decision support that flags patients who may have " + targetClass + " for confirmatory "
        + "testing by a specialist. Not a diagnosis; not validated outside the source population of the snapshot.");
    card.put("data", Map.of("snapshotId", snapshotId, "trainRows", provenance.data().rows(),
        "trainClassCounts", provenance.data().classCounts(), outOfFold ? "outOfFoldRows" : "heldOutRows",
        evaluation.testRows()));
    if (outOfFold) {
      card.put("evaluatedOn", "out-of-fold predictions pooled over " + outOfFoldFolds + " folds");
    }
    card.put("strategy", provenance.strategy());
    card.put("hyperparameters", model.options().asMap());
    card.put("provenance", provenance.asMap());
    if (selection != null) {
      card.put("selection", selection);
    }
    card.put(outOfFold ? "outOfFoldMetrics" : "heldOutMetrics", evaluation.metrics().perClass());
    card.put("confusion", evaluation.metrics().confusion());
    card.put("macroF1", evaluation.metrics().macroF1());
    card.put("balancedAccuracy", evaluation.metrics().balancedAccuracy());
    card.put("targetIntervals95", evaluation.target());
    if (evaluation.calibration() != null) {
      card.put("calibration", evaluation.calibration().asMap());
    }
    // an MLP has no exact explanation (MlpModel.NOT_EXPLAINED): no importance rather than a guessed one
    card.put("featureImportance", model.explainable() ? importance(model, test) : Map.of());
    List<String> limitations = new ArrayList<>();
    if (!model.explainable()) {
      limitations.add("No feature importance and no per-prediction explanation: " + MlpModel.NOT_EXPLAINED
          + ".");
    }
    for (ClassificationMetrics.PerClass pc : evaluation.metrics().perClass()) {
      if (pc.support() < MIN_EVALUABLE_CASES) {
        limitations
            .add("class " + pc.label() + " has " + pc.support() + (outOfFold ? " cases (< " : " held-out cases (< ")
                + MIN_EVALUABLE_CASES
                + "): its figures are not evaluable" + (pc.support() < 5 ? " (too rare to estimate)" : "")
                + ", see the interval widths");
      }
    }
    if (model.calibration().isEmpty()) {
      limitations.add("Probabilities after resampling or class weighting overstate the rare class's prevalence "
          + "(calibration intercept below 0); they are not recalibrated.");
    } else {
      limitations.add("Probabilities are recalibrated to the training prevalence of " + (model.calibration().get()
          .cls() < 0 ? "every class" : targetClass) + "; at a site with another prevalence they are off by the ratio "
          + "of the odds, and the cost-matrix decision with them.");
    }
    limitations.add("Clinical validation (DMN thresholds on the lower interval bounds) runs after this card is "
        + "rendered; its rules are added as clinicalValidation and are in the process (Cockpit: validationResults).");
    card.put("limitations", limitations);
    card.put("clinicalValidation", Map.of("status", PENDING));
    return card;
  }

  public static final String PENDING = "pending: the decision clinical-validation has not run on this model yet";
  /** Marks the HTML card's clinical-validation section, which {@link #withValidation} replaces. */
  static final String VALIDATION_START = "<section id=\"clinical-validation\">";
  static final String VALIDATION_END = "</section>";

  /** The JSON card with the clinical validation's rules and verdict. */
  public static Map<String, Object> withValidation(Map<String, Object> card, ClinicalValidation validation) {
    Map<String, Object> out = new LinkedHashMap<>(card);
    out.put("clinicalValidation", validation.asMap());
    return out;
  }

  /** The HTML card with its clinical-validation section replaced by the decision's rules and verdict. */
  public static String withValidation(String html, ClinicalValidation validation) {
    String section = validationSection(validation);
    int start = html.indexOf(VALIDATION_START);
    if (start >= 0) {
      int end = html.indexOf(VALIDATION_END, start);
      return html.substring(0, start) + section + html.substring(end + VALIDATION_END.length());
    }
    // a card rendered before the section existed: put it before the limitations (or at the end)
    int at = html.indexOf("<h2>Limitations</h2>");
    at = at >= 0 ? at : html.lastIndexOf("</body>");
    return html.substring(0, at) + section + html.substring(at);
  }

  private static String validationSection(ClinicalValidation v) {
    StringBuilder h = new StringBuilder(VALIDATION_START).append("<h2>Clinical validation: ")
        .append(v.passed() ? "passed" : "<span style=\"color:#c0392b\">failed</span>").append("</h2>")
        .append("<p>Decision clinical-validation (processes/clinical-validation.dmn), on the held-out figures above."
            + "</p><table><tr><th>rule</th><th>measured</th><th>threshold</th><th>result</th></tr>");
    for (ClinicalValidation.Rule r : v.rules()) {
      h.append("<tr><td style=\"text-align:left\">").append(esc(r.rule())).append("</td>")
          .append(r.value() == null ? "<td>not measured</td>" : td(r.value())).append(td(r.threshold()))
          .append("<td>").append(r.passed() ? "pass" : "<b>FAIL</b>").append("</td></tr>");
    }
    h.append("</table>");
    if (!v.failures().isEmpty()) {
      h.append("<p><b>Reasons the model was rejected</b></p><ul>");
      for (String f : v.failures()) {
        h.append("<li>").append(esc(f)).append("</li>");
      }
      h.append("</ul>");
    }
    return h.append(VALIDATION_END).toString();
  }

  /** Mean |SHAP| of the predicted class per feature over up to 100 held-out rows, largest first. */
  static Map<String, Double> importance(Classifier model, FeatureTable test) {
    int p = model.features().size();
    double[] sum = new double[p];
    int n = Math.min(100, test.rows());
    for (int i = 0; i < n; i++) {
      for (Explanation.Contribution c : model.explain(test.x()[i], p).top()) {
        sum[model.features().stream().map(f -> f.name()).toList().indexOf(c.feature())] += Math.abs(c.shap()) / n;
      }
    }
    Integer[] order = new Integer[p];
    for (int j = 0; j < p; j++) {
      order[j] = j;
    }
    Arrays.sort(order, (a, b) -> Double.compare(sum[b], sum[a]));
    Map<String, Double> out = new LinkedHashMap<>();
    for (int j : order) {
      out.put(model.features().get(j).name(), sum[j]);
    }
    return out;
  }

  /** The HTML page: card content as tables, and the target class's curves as inline SVG. */
  public static String html(Map<String, Object> card, String targetClass, int[] truth, double[][] proba, int target) {
    StringBuilder h = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Model card</title>"
        + "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
        + "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}svg{margin:4px}</style></head><body>");
    h.append("<h1>Model card: ").append(esc(targetClass)).append(" &mdash; ").append(esc(str(card.get("strategy"))))
        .append("</h1>");
    h.append("<p><b>Training run</b> ").append(esc(str(card.get("trainingRunId")))).append("</p>");
    h.append("<h2>Intended use</h2><p>").append(esc(str(card.get("intendedUse")))).append("</p>");
    h.append("<h2>Data</h2><p>").append(esc(str(card.get("data")))).append("</p>");
    h.append("<h2>Strategy and hyperparameters</h2><p>").append(esc(str(card.get("hyperparameters")))).append("</p>");
    if (card.get("selection") instanceof Map<?, ?> sel) {
      h.append("<h2>Candidate selection</h2><p>").append(esc(str(sel.get("policy")))).append("<br><b>")
          .append(esc(str(sel.get("reason")))).append("</b></p>");
      if (sel.get("candidates") instanceof List<?> rows && !rows.isEmpty()
          && ((Map<?, ?>) rows.get(0)).containsKey("meanMinorityAuprc")) {
        h.append("<table><tr><th>candidate</th><th>minority recall at specificity 0.95</th><th>+-</th>"
            + "<th>minority AUPRC</th><th>Brier</th><th>macro F1</th><th>level</th><th>excluded</th></tr>");
        for (Object o : rows) {
          Map<?, ?> r = (Map<?, ?>) o;
          h.append("<tr><td>").append(esc(str(r.get("label")))).append("</td>")
              .append(td(r.get("minorityRecallAtSpecificity0.95"))).append(td(r.get("minorityRecallSe")))
              .append(td(r.get("meanMinorityAuprc"))).append(td(r.get("brier"))).append(td(r.get("macroF1")))
              .append("<td>").append(esc(str(r.get("level")))).append("</td><td>")
              .append(esc(r.get("excluded") == null ? "" : str(r.get("excluded")))).append("</td></tr>");
        }
        h.append("</table>");
      } else if (sel.get("candidates") instanceof List<?> rows) {
        h.append("<table><tr><th>candidate</th><th>recall</th><th>specificity</th><th>AUPRC</th><th>macro F1</th>"
            + "</tr>");
        for (Object o : rows) {
          Map<?, ?> r = (Map<?, ?>) o;
          h.append("<tr><td>").append(esc(str(r.get("label")))).append("</td>").append(td(r.get("rareRecall")))
              .append(td(r.get("rareSpecificity"))).append(td(r.get("rareAuprc"))).append(td(r.get("macroF1")))
              .append("</tr>");
        }
        h.append("</table>");
      }
    }
    boolean outOfFold = card.containsKey("outOfFoldMetrics");
    h.append(outOfFold ? "<h2>Out-of-fold metrics</h2><p>" + esc(str(card.get("evaluatedOn"))) + "</p>"
        : "<h2>Held-out metrics</h2>");
    h.append("<table><tr><th>class</th><th>n</th><th>recall</th><th>specificity</th>"
        + "<th>precision</th><th>F1</th><th>ROC-AUC</th><th>AUPRC</th><th>Brier</th><th>calib. slope</th>"
        + "<th>calib. intercept</th></tr>");
    for (Object o : (List<?>) card.get(outOfFold ? "outOfFoldMetrics" : "heldOutMetrics")) {
      ClassificationMetrics.PerClass pc = (ClassificationMetrics.PerClass) o;
      h.append("<tr><td>").append(esc(pc.label())).append("</td><td>").append(pc.support()).append("</td>")
          .append(td(pc.recall())).append(td(pc.specificity())).append(td(pc.precision())).append(td(pc.f1()))
          .append(td(pc.rocAuc())).append(td(pc.auprc())).append(td(pc.brier())).append(td(pc.calibrationSlope()))
          .append(td(pc.calibrationIntercept())).append("</tr>");
    }
    h.append("</table>");
    BootstrapCi.ClassIntervals ci = (BootstrapCi.ClassIntervals) card.get("targetIntervals95");
    h.append("<p><b>95% intervals for ").append(esc(targetClass)).append("</b>: recall ").append(ci(ci.recall()))
        .append(", precision ").append(ci(ci.precision())).append(", AUPRC ").append(ci(ci.auprc())).append("</p>");
    h.append("<p>Confusion (rows truth, columns decision): ")
        .append(esc(Arrays.deepToString((int[][]) card.get("confusion")))).append("</p>");
    if (card.get("calibration") instanceof Map<?, ?> cal) {
      calibrationSection(h, cal, targetClass);
    }
    h.append("<h2>Curves (").append(esc(targetClass)).append(" vs rest, held-out)</h2>");
    double[] score = new double[truth.length];
    boolean[] positive = new boolean[truth.length];
    for (int i = 0; i < truth.length; i++) {
      score[i] = proba[i][target];
      positive[i] = truth[i] == target;
    }
    h.append(svg("ROC", "1 - specificity", "recall", roc(score, positive), true));
    h.append(svg("Precision-recall", "recall", "precision", pr(score, positive), false));
    h.append(svg("Calibration (deciles)", "predicted", "observed", ClassificationMetrics.reliability(score, positive),
        true));
    h.append("<h2>Global feature importance (mean |SHAP|)</h2><table>");
    for (Map.Entry<?, ?> e : ((Map<?, ?>) card.get("featureImportance")).entrySet()) {
      h.append("<tr><td style=\"text-align:left\">").append(esc(str(e.getKey()))).append("</td>")
          .append(td(e.getValue())).append("</tr>");
    }
    h.append("</table>").append(VALIDATION_START).append("<h2>Clinical validation</h2><p>").append(esc(PENDING))
        .append("</p>").append(VALIDATION_END).append("<h2>Limitations</h2><ul>");
    for (Object l : (List<?>) card.get("limitations")) {
      h.append("<li>").append(esc(str(l))).append("</li>");
    }
    return h.append("</ul></body></html>").toString();
  }

  /** Before/after figures of the calibration on the held-out rows, with both reliability curves in one diagram. */
  private static void calibrationSection(StringBuilder h, Map<?, ?> cal, String targetClass) {
    Map<?, ?> how = cal.get("calibration") instanceof Map<?, ?> m ? m : Map.of();
    Map<?, ?> before = (Map<?, ?>) cal.get("before");
    Map<?, ?> after = (Map<?, ?>) cal.get("after");
    h.append("<h2>Calibration of ").append(esc(targetClass)).append(" (held-out)</h2><p>")
        .append(esc(str(how.get("method")))).append(" ").append(esc(str(parameters(how))))
        .append(", fitted on ").append(esc(str(how.get("fittedOn")))).append(" (").append(esc(str(how.get("rows"))))
        .append(" rows, ").append(esc(str(how.get("cases")))).append(" cases). The model serves and decides on the "
            + "calibrated probabilities.</p>");
    h.append("<table><tr><th></th><th>Brier</th><th>calib. slope</th><th>calib. intercept</th>"
        + "<th>mean predicted</th><th>observed share</th></tr>");
    for (String which : List.of("before", "after")) {
      Map<?, ?> f = which.equals("before") ? before : after;
      h.append("<tr><td>").append(which).append("</td>").append(td(f.get("brier")))
          .append(td(f.get("calibrationSlope"))).append(td(f.get("calibrationIntercept")))
          .append(td(f.get("meanPredicted"))).append(td(f.get("observedShare"))).append("</tr>");
    }
    h.append("</table>");
    h.append(svg("Reliability before (grey) and after (red) calibration", "predicted", "observed",
        points(after.get("reliability")), true, points(before.get("reliability"))));
  }

  private static Map<Object, Object> parameters(Map<?, ?> how) {
    Map<Object, Object> p = new LinkedHashMap<>();
    for (Object key : List.of("slope", "intercept", "steps")) {
      if (how.containsKey(key)) {
        p.put(key, how.get(key));
      }
    }
    return p;
  }

  @SuppressWarnings("unchecked")
  private static List<double[]> points(Object reliability) {
    return reliability instanceof List<?> l ? (List<double[]>) l : List.of();
  }

  static List<double[]> roc(double[] score, boolean[] positive) {
    Integer[] order = order(score);
    int pos = 0;
    for (boolean b : positive) {
      pos += b ? 1 : 0;
    }
    int neg = score.length - pos;
    List<double[]> points = new ArrayList<>(List.of(new double[] {0, 0}));
    int tp = 0;
    int fp = 0;
    for (int i = 0; i < order.length; i++) {
      if (positive[order[i]]) {
        tp++;
      } else {
        fp++;
      }
      if (i + 1 == order.length || score[order[i + 1]] != score[order[i]]) {
        points.add(new double[] {neg == 0 ? 0 : (double) fp / neg, pos == 0 ? 0 : (double) tp / pos});
      }
    }
    return points;
  }

  static List<double[]> pr(double[] score, boolean[] positive) {
    Integer[] order = order(score);
    int pos = 0;
    for (boolean b : positive) {
      pos += b ? 1 : 0;
    }
    List<double[]> points = new ArrayList<>();
    int tp = 0;
    for (int i = 0; i < order.length; i++) {
      tp += positive[order[i]] ? 1 : 0;
      if (i + 1 == order.length || score[order[i + 1]] != score[order[i]]) {
        points.add(new double[] {pos == 0 ? 0 : (double) tp / pos, (double) tp / (i + 1)});
      }
    }
    return points;
  }

  private static Integer[] order(double[] score) {
    Integer[] order = new Integer[score.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
    return order;
  }

  private static String svg(String title, String xLabel, String yLabel, List<double[]> points, boolean diagonal) {
    return svg(title, xLabel, yLabel, points, diagonal, null);
  }

  /** A square plot of {@code points} (red) and optionally {@code reference} (grey, dashed) on [0, 1] x [0, 1]. */
  private static String svg(String title, String xLabel, String yLabel, List<double[]> points, boolean diagonal,
                            List<double[]> reference) {
    int size = 220;
    int pad = 30;
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">"
            + "<rect x=\"%d\" y=\"10\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
        size + pad + 10, size + pad + 30, esc(title), pad, size, size));
    if (diagonal) {
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"10\" stroke=\"#ccc\"/>", pad,
          size + 10, pad + size));
    }
    if (reference != null) {
      s.append("<polyline fill=\"none\" stroke=\"#888\" stroke-dasharray=\"4 3\" stroke-width=\"2\" points=\"");
      for (double[] p : reference) {
        s.append(String.format(Locale.ROOT, "%.1f,%.1f ", pad + p[0] * size, 10 + (1 - p[1]) * size));
      }
      s.append("\"/>");
    }
    s.append("<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"");
    for (double[] p : points) {
      s.append(String.format(Locale.ROOT, "%.1f,%.1f ", pad + p[0] * size, 10 + (1 - p[1]) * size));
    }
    s.append(String.format(Locale.ROOT, "\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
        + "<text x=\"2\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 10,%d)\">%s</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"12\" font-weight=\"bold\">%s</text></svg>",
        pad + 60, size + 28, esc(xLabel), size / 2 + 60, size / 2, esc(yLabel), pad, size + 48, esc(title)));
    return s.toString();
  }

  private static String ci(BootstrapCi.Interval i) {
    return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", i.value(), i.lower(), i.upper());
  }

  private static String td(Object v) {
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return "<td>" + (Double.isNaN(d) ? "&ndash;" : String.format(Locale.ROOT, "%.3f", d)) + "</td>";
    }
    return "<td>" + esc(str(v)) + "</td>";
  }

  private static String str(Object o) {
    return String.valueOf(o);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
