package io.medpipe.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a recalibrated run's model card says about its lineage: "recalibrated from vN, prior a -&gt; b", where the new
 * prior came from, and what the held-out figures then mean. Added to the card {@link TrainingService#evaluate}
 * renders, as its own section right under the title, so a reviewer reads it before any figure.
 */
final class RecalibrationCard {

  /** The key of a recalibrated run's lineage in its params (and in its registered version's params). */
  static final String PARAM = "recalibration";

  private RecalibrationCard() {}

  /** The one line a reviewer reads first, e.g. "recalibrated from fabry-xgboost v1, prior of fabry 0.010 -> 0.030". */
  static String summary(Map<?, ?> r) {
    return String.format(Locale.ROOT, "recalibrated from %s, prior of %s %.4f -> %.4f", r.get("parentVersion"),
        r.get("targetClass"), number(r.get("fromPrior")), number(r.get("toPrior")));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(Map<String, Object> card, Map<?, ?> recalibration) {
    Map<String, Object> out = new LinkedHashMap<>(card);
    Map<String, Object> section = new LinkedHashMap<>((Map<String, Object>) recalibration);
    section.put("summary", summary(recalibration));
    out.put(PARAM, section);
    List<Object> limitations = new ArrayList<>(card.get("limitations") instanceof List<?> l ? l : List.of());
    limitations.add(0, limitation(recalibration));
    out.put("limitations", limitations);
    return out;
  }

  static String html(String html, Map<?, ?> r) {
    String section = "<section id=\"recalibration\"><h2>" + esc(summary(r)) + "</h2><p>Nothing was retrained: the "
        + "probabilities of " + esc(String.valueOf(r.get("parentVersion"))) + " are re-based to the new prior "
        + "(Saerens et al. 2002; the intercept update: the log-odds of " + esc(String.valueOf(r.get("targetClass")))
        + " move by " + String.format(Locale.ROOT, "%+.3f", logit(number(r.get("toPrior")))
            - logit(number(r.get("fromPrior"))))
        + ", the ranking of patients is unchanged). New prior: "
        + esc(String.valueOf(r.get("priorSource"))) + ", interval " + esc(String.valueOf(r.get("priorInterval")))
        + ". Drift report: <a href=\"" + esc(String.valueOf(r.get("driftReport"))) + "\">"
        + esc(String.valueOf(r.get("driftReportId"))) + "</a>.</p><p>" + esc(limitation(r)) + "</p></section>";
    int at = html.indexOf("</h1>");
    return at < 0 ? section + html : html.substring(0, at + 5) + section + html.substring(at + 5);
  }

  private static String limitation(Map<?, ?> r) {
    return "The held-out figures are measured on the rows " + r.get("parentVersion") + " was evaluated on, at their "
        + "prevalence, not at the new prior: ROC-AUC and AUPRC of the rare class do not change with the re-basing; "
        + "recall, precision and the served decision are those of the re-based probabilities on that population.";
  }

  private static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static double logit(double p) {
    return Math.log(p / (1 - p));
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
