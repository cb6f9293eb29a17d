package io.medpipe.monitoring.drift;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureType;
import io.medpipe.monitoring.drift.DriftReport.ClassPerformance;
import io.medpipe.monitoring.drift.DriftReport.FeatureDrift;
import io.medpipe.monitoring.drift.DriftReport.Rate;
import io.medpipe.monitoring.drift.DriftReport.ShapShift;
import io.medpipe.monitoring.drift.DriftReport.Signal;
import io.medpipe.monitoring.drift.ReferenceProfile.FeatureProfile;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link DriftReport} as one self-contained HTML page: the verdicts, the per-feature table, reference
 * against window histograms of the drifted features, multivariate drift, prevalence, estimated and live performance
 * and SHAP shifts. Charts are inline SVG (no script, no external resource), so the page can be archived as it is.
 * Only aggregates appear: bin shares, never a row.
 */
public final class DriftHtml {

  private static final int DISPLAY_BINS = 24;
  private static final String REFERENCE_COLOUR = "#1f77b4";
  private static final String WINDOW_COLOUR = "#d62728";

  private DriftHtml() {
  }

  /**
   * @param report  the report to show
   * @param profile the reference it was computed against (for the reference histograms)
   * @param window  the window it was computed on (for the window histograms), or null to leave charts out
   */
  public static String render(DriftReport report, ReferenceProfile profile, Window window) {
    StringBuilder h = new StringBuilder(30_000);
    h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift report</title><style>"
        + "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;"
        + "margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}"
        + "td:first-child,th:first-child{text-align:left}.DRIFTED,.flag{color:#b00;font-weight:bold}"
        + ".NOT_TESTED{color:#777}figure{display:inline-block;margin:0 1em 1em 0}</style></head><body>");
    h.append("<h1>Drift report</h1><p>").append(esc(report.message())).append("</p>");
    h.append("<p>").append(report.windowRows()).append(" predictions in the window; reference profile <code>")
        .append(esc(report.profileChecksum() == null ? "" : report.profileChecksum().substring(0, 16)))
        .append("…</code>; alpha ").append(fmt(report.alpha())).append(" on Benjamini-Hochberg-adjusted p-values."
            + "</p>");
    if (report.noAutomatedDecision() > 0) {
      h.append("<p>").append(report.noAutomatedDecision()).append(" of them answered without an automated decision "
          + "(input below the required completeness): in the data drift tests and the prevalence estimate, counted as "
          + "missed cases in recall, left out of the class shares and the explanations.</p>");
    }
    if (report.tooFewPredictions()) {
      return h.append("</body></html>").toString();
    }
    featureTable(h, report);
    List<FeatureDrift> drifted = report.features().stream().filter(FeatureDrift::drifted).toList();
    if (!drifted.isEmpty() && window != null) {
      h.append("<h2>Reference against window: drifted features</h2><p><span style=\"color:").append(REFERENCE_COLOUR)
          .append("\">■ reference</span> <span style=\"color:").append(WINDOW_COLOUR)
          .append("\">■ window</span> (share of non-missing values per bin)</p>");
      List<Feature> features = profile.featureList();
      for (FeatureDrift f : drifted) {
        int index = indexOf(features, f.feature());
        if (index >= 0) {
          h.append("<figure>").append(chart(profile.features().get(index), column(window, index)))
              .append("<figcaption>").append(esc(f.feature())).append("</figcaption></figure>");
        }
      }
    }
    multivariate(h, report);
    prevalenceAndPerformance(h, report);
    shap(h, report.explanationDrift());
    return h.append("</body></html>").toString();
  }

  private static void featureTable(StringBuilder h, DriftReport report) {
    h.append("<h2>Features: ").append(report.driftedFeatures()).append(" of ").append(report.features().size())
        .append(" drifted</h2><table><tr><th>feature</th><th>type</th><th>test</th><th>statistic</th><th>p</th>"
            + "<th>adjusted p</th><th>effect</th><th>threshold</th><th>verdict</th><th>missing ref → window</th>"
            + "<th>missingness (h, adj. p)</th><th>unseen</th></tr>");
    for (FeatureDrift f : report.features()) {
      Signal d = f.distribution();
      Signal m = f.missingness();
      h.append("<tr><td>").append(esc(f.feature())).append("</td><td>").append(f.type()).append("</td><td>")
          .append(esc(d.test())).append("</td><td>").append(fmt(d.statistic())).append("</td><td>")
          .append(fmt(d.p())).append("</td><td>").append(fmt(d.adjustedP())).append("</td><td title=\"")
          .append(esc(d.effectSize())).append("\">").append(fmt(d.effect())).append("</td><td title=\"")
          .append(esc(d.thresholdSource())).append("\">").append(fmt(d.threshold())).append("</td><td class=\"")
          .append(d.verdict()).append("\" title=\"").append(esc(d.note() == null ? "" : d.note())).append("\">")
          .append(d.verdict()).append("</td><td>").append(fmt(100 * f.referenceMissingRate())).append(" % → ")
          .append(fmt(100 * f.windowMissingRate())).append(" %</td><td class=\"").append(m.verdict()).append("\">")
          .append(fmt(m.effect())).append(", ").append(fmt(m.adjustedP())).append("</td><td>")
          .append(f.unseenRows()).append("</td></tr>");
    }
    h.append("</table>");
  }

  private static void multivariate(StringBuilder h, DriftReport report) {
    DriftReport.DomainDrift d = report.multivariate();
    h.append("<h2>Multivariate drift</h2>");
    if (d == null) {
      h.append("<p>The domain classifier did not run (no raw reference rows, or switched off).</p>");
      return;
    }
    h.append("<p").append(d.drifted() ? " class=\"flag\"" : "").append(">Domain classifier ROC-AUC ")
        .append(fmt(d.auc())).append(" against a ").append(esc(d.thresholdSource())).append(" threshold of ")
        .append(fmt(d.threshold())).append(" (").append(d.rowsPerSide()).append(" rows per side, ").append(d.folds())
        .append("-fold).</p><table><tr><th>feature</th><th>share of importance</th></tr>");
    d.topFeatures().forEach(f -> h.append("<tr><td>").append(esc(f.feature())).append("</td><td>")
        .append(fmt(100 * f.share())).append(" %</td></tr>"));
    h.append("</table>");
  }

  private static void prevalenceAndPerformance(StringBuilder h, DriftReport report) {
    DriftReport.PrevalenceShift p = report.prevalence();
    if (p != null) {
      h.append("<h2>Prevalence of ").append(esc(p.targetClass())).append("</h2><p")
          .append(p.shifted() ? " class=\"flag\"" : "").append(">EM estimate ").append(fmt(100 * p.em()))
          .append(" % (").append(fmt(100 * p.level())).append(" % bootstrap interval ").append(fmt(100 * p.lower()))
          .append("–").append(fmt(100 * p.upper())).append(" %) against a training prior of ")
          .append(fmt(100 * p.trainingPrior())).append(" %; BBSE ").append(fmt(100 * p.bbse())).append(" %")
          .append(p.bbseIllConditioned() ? " (ill-conditioned, unreliable)" : "").append(".</p>");
    }
    DriftReport.ExpectedPerformance e = report.estimatedPerformance();
    if (e != null) {
      h.append("<h2>Performance</h2><p").append(e.belowValidated() ? " class=\"flag\"" : "")
          .append(">Expected without labels (").append(esc(e.targetClass())).append("): recall ")
          .append(fmt(e.recall())).append(" [").append(fmt(e.recallLower())).append(", ").append(fmt(e.recallUpper()))
          .append("], precision ").append(fmt(e.precision())).append(" [").append(fmt(e.precisionLower()))
          .append(", ").append(fmt(e.precisionUpper())).append("]; validated lower recall bound ")
          .append(fmt(e.validatedRecallLower())).append(".</p>");
    }
    DriftReport.LivePerformance live = report.livePerformance();
    if (live != null) {
      h.append("<p>From clinician feedback: ").append(live.withFeedback()).append(" of ").append(live.predictions())
          .append(" predictions (coverage ").append(fmt(100 * live.coverage())).append(" %).</p><table><tr>"
              + "<th>class</th><th>recall</th><th>precision</th><th>specificity</th><th>validated recall bound</th>"
              + "<th>held-out recall</th><th>p (fewer found than on the held-out rows)</th></tr>");
      for (ClassPerformance c : live.classes()) {
        h.append("<tr><td>").append(esc(c.label())).append("</td><td").append(c.belowValidated() ? " class=\"flag\""
            : "").append(">").append(rate(c.recall())).append("</td><td>").append(rate(c.precision()))
            .append("</td><td>").append(rate(c.specificity())).append("</td><td>")
            .append(fmt(c.validatedRecallLower())).append("</td><td>").append(fmt(c.referenceRecall()))
            .append("</td><td>").append(fmt(c.dropP())).append("</td></tr>");
      }
      h.append("</table>");
    }
  }

  private static void shap(StringBuilder h, List<ShapShift> shifts) {
    if (shifts.isEmpty()) {
      return;
    }
    h.append("<h2>Explanation drift (mean |SHAP|)</h2><table><tr><th>feature</th><th>reference</th><th>window</th>"
        + "<th>change</th><th>relative</th><th>rank ref → window</th></tr>");
    for (ShapShift s : shifts) {
      h.append("<tr><td>").append(esc(s.feature())).append("</td><td>").append(fmt(s.reference())).append("</td><td>")
          .append(fmt(s.window())).append("</td><td>").append(fmt(s.absoluteChange())).append("</td><td>")
          .append(fmt(100 * s.relativeChange())).append(" %</td><td>").append(s.referenceRank()).append(" → ")
          .append(s.windowRank()).append("</td></tr>");
    }
    h.append("</table>");
  }

  /** Paired bars of reference and window shares: categories, or equal-width bins over both ranges. */
  static String chart(FeatureProfile reference, double[] window) {
    double[] present = FeatureTests.present(window);
    String[] labels;
    double[] ref;
    double[] win;
    if (reference.feature().type() == FeatureType.NUMERIC) {
      if (reference.numeric() == null || present.length == 0) {
        return "<p>no values to draw</p>";
      }
      TwoSample.Bins bins = reference.numeric().bins();
      double[] sorted = present.clone();
      Arrays.sort(sorted);
      double lo = Math.min(bins.edges()[0], PriorShift.percentile(sorted, 0.005));
      double hi = Math.max(bins.edges()[bins.edges().length - 1], PriorShift.percentile(sorted, 0.995));
      if (!(hi > lo)) {
        hi = lo + 1;
      }
      double width = (hi - lo) / DISPLAY_BINS;
      ref = new double[DISPLAY_BINS];
      win = new double[DISPLAY_BINS];
      long total = bins.total();
      ref[slot(bins.edges()[0], lo, width)] += (double) bins.counts()[0] / total;
      for (int j = 1; j < bins.edges().length; j++) {
        spread(ref, bins.edges()[j - 1], bins.edges()[j], (double) bins.counts()[j] / total, lo, width);
      }
      for (double v : sorted) {
        win[slot(v, lo, width)] += 1.0 / sorted.length;
      }
      labels = new String[DISPLAY_BINS];
      for (int b = 0; b < DISPLAY_BINS; b++) {
        labels[b] = fmt(lo + b * width) + "–" + fmt(lo + (b + 1) * width);
      }
    } else {
      int levels = ReferenceProfile.levelCount(reference.feature());
      labels = new String[levels + 1];
      ref = new double[levels + 1];
      win = new double[levels + 1];
      long refTotal = reference.otherCount() + reference.categoryCounts().stream().mapToLong(Long::longValue).sum();
      for (int j = 0; j < levels; j++) {
        labels[j] = reference.feature().type() == FeatureType.BINARY ? String.valueOf(j)
            : reference.feature().levels().get(j);
        ref[j] = refTotal == 0 ? 0 : (double) reference.categoryCounts().get(j) / refTotal;
      }
      labels[levels] = "unseen";
      ref[levels] = refTotal == 0 ? 0 : (double) reference.otherCount() / refTotal;
      for (double v : present) {
        int code = ReferenceProfile.codeOf(v, levels);
        win[code < 0 ? levels : code] += 1.0 / present.length;
      }
    }
    return bars(labels, ref, win);
  }

  private static int slot(double v, double lo, double width) {
    return Math.max(0, Math.min(DISPLAY_BINS - 1, (int) ((v - lo) / width)));
  }

  /** Adds mass spread evenly over (a, b] to the display bins it overlaps. */
  private static void spread(double[] bins, double a, double b, double mass, double lo, double width) {
    if (!(b > a)) {
      bins[slot(b, lo, width)] += mass;
      return;
    }
    for (int s = slot(a, lo, width); s <= slot(b, lo, width); s++) {
      double from = Math.max(a, lo + s * width);
      double to = Math.min(b, lo + (s + 1) * width);
      if (s == DISPLAY_BINS - 1) {
        to = b;
      }
      if (to > from) {
        bins[s] += mass * (to - from) / (b - a);
      }
    }
  }

  private static String bars(String[] labels, double[] ref, double[] win) {
    int w = 420;
    int hgt = 160;
    double max = 1e-12;
    for (int i = 0; i < ref.length; i++) {
      max = Math.max(max, Math.max(ref[i], win[i]));
    }
    double slotWidth = (double) w / labels.length;
    StringBuilder s = new StringBuilder();
    s.append("<svg width=\"").append(w).append("\" height=\"").append(hgt + 20)
        .append("\" role=\"img\">");
    for (int i = 0; i < labels.length; i++) {
      double x = i * slotWidth;
      appendBar(s, x + 1, slotWidth / 2 - 1, ref[i] / max * hgt, hgt, REFERENCE_COLOUR, labels[i], ref[i]);
      appendBar(s, x + slotWidth / 2, slotWidth / 2 - 1, win[i] / max * hgt, hgt, WINDOW_COLOUR, labels[i], win[i]);
    }
    s.append("<text x=\"0\" y=\"").append(hgt + 15).append("\" font-size=\"11\">").append(esc(labels[0]))
        .append("</text><text x=\"").append(w).append("\" y=\"").append(hgt + 15)
        .append("\" font-size=\"11\" text-anchor=\"end\">").append(esc(labels[labels.length - 1])).append("</text>");
    return s.append("</svg>").toString();
  }

  private static void appendBar(StringBuilder s, double x, double width, double height, int base, String colour,
                                String label, double share) {
    s.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(fmt(base - height)).append("\" width=\"")
        .append(fmt(Math.max(0.5, width))).append("\" height=\"").append(fmt(height)).append("\" fill=\"")
        .append(colour).append("\"><title>").append(esc(label)).append(": ").append(fmt(100 * share))
        .append(" %</title></rect>");
  }

  private static int indexOf(List<Feature> features, String name) {
    for (int i = 0; i < features.size(); i++) {
      if (features.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static double[] column(Window window, int index) {
    double[] c = new double[window.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = window.rows()[i][index];
    }
    return c;
  }

  private static String rate(Rate r) {
    return r.trials() == 0 ? "–"
        : fmt(r.value()) + " [" + fmt(r.lower()) + ", " + fmt(r.upper()) + "] (" + r.successes()
            + "/" + r.trials() + ")";
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "∞" : "-∞";
    }
    if (v != 0 && Math.abs(v) < 1e-3) {
      return String.format(Locale.ROOT, "%.2e", v);
    }
    return String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
