package io.medpipe.dataset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Renders an {@link EdaReport} as one self-contained HTML page: class counts as a bar chart, per-class table with
 * the imbalance ratio and the classes too small for cross-validation, feature table, and histograms (per class)
 * of the features that differ most between classes. Charts are inline SVG: no script, no external resource, so the
 * page can be archived as it is. Only aggregates appear, never a row.
 */
final class EdaHtml {

  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  private static final int TOP_FEATURES = 4;
  private static final int BINS = 12;

  private EdaHtml() {
  }

  static String render(EdaReport r, FeatureTable table, Snapshot snapshot) {
    StringBuilder h = new StringBuilder(20_000);
    h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>EDA ")
        .append(esc(snapshot.id().toString())).append("</title><style>body{font-family:sans-serif;max-width:1000px;"
            + "margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
            + "padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
            + ".flag{color:#b00;font-weight:bold}figure{display:inline-block;margin:0 1em 1em 0}</style></head><body>");
    h.append("<h1>Exploratory data analysis: class imbalance first</h1>");
    h.append("<p>Snapshot <code>").append(esc(snapshot.id().toString())).append("</code>, content hash <code>")
        .append(esc(snapshot.contentHash().substring(0, 16))).append("…</code>, ").append(r.rows()).append(" rows, ")
        .append(snapshot.features().size()).append(" features.</p>");
    h.append("<p>Majority class <b>").append(esc(r.majorityClass())).append("</b>, minority class <b>")
        .append(esc(r.minorityClass())).append("</b> with ").append(r.minorityCount())
        .append(" rows; imbalance ratio <b>").append(fmt(r.imbalanceRatio())).append("</b>.</p>");
    if (!r.notEvaluable().isEmpty()) {
      h.append("<p class=\"flag\">Too few rows for cross-validation (fewer than ")
          .append(EdaService.MIN_ROWS_TO_EVALUATE)
          .append(" per class): ").append(esc(String.join(", ", r.notEvaluable()))).append("</p>");
    }
    h.append("<h2>Classes</h2>").append(classChart(r));
    h.append(
        "<table><tr><th>class</th><th>rows</th><th>share</th><th>ratio to majority</th><th>cross-validation</th></tr>");
    for (EdaReport.ClassShare c : r.classes()) {
      boolean small = r.notEvaluable().contains(c.label());
      h.append("<tr><td>").append(esc(c.label())).append("</td><td>").append(c.count()).append("</td><td>")
          .append(fmt(100 * c.share())).append(" %</td><td>").append(fmt(c.ratioToMajority())).append("</td><td")
          .append(small ? " class=\"flag\">too small" : ">ok").append("</td></tr>");
    }
    h.append("</table>");
    List<EdaReport.FeatureSummary> top = new ArrayList<>(r.features());
    top.removeIf(f -> Double.isNaN(f.mean()) || f.max() <= f.min());
    top.sort(Comparator.comparingDouble(EdaReport.FeatureSummary::separation).reversed());
    top = top.subList(0, Math.min(TOP_FEATURES, top.size()));
    h.append("<h2>Features that differ most between classes</h2>");
    for (EdaReport.FeatureSummary f : top) {
      h.append("<figure>").append(histogram(f, table, r)).append("<figcaption>").append(esc(f.name()))
          .append(" (separation ").append(fmt(f.separation())).append(" SD)</figcaption></figure>");
    }
    h.append("<h2>All features</h2><table><tr><th>feature</th><th>type</th><th>missing</th><th>min</th><th>median</th>"
        + "<th>max</th><th>mean</th><th>SD</th>");
    for (EdaReport.ClassShare c : r.classes()) {
      h.append("<th>mean | ").append(esc(c.label())).append("</th>");
    }
    h.append("</tr>");
    for (EdaReport.FeatureSummary f : r.features()) {
      h.append("<tr><td>").append(esc(f.name())).append("</td><td>").append(esc(f.type())).append("</td><td>")
          .append(fmt(100 * f.missingShare())).append(" %</td><td>").append(fmt(f.min())).append("</td><td>")
          .append(fmt(f.median())).append("</td><td>").append(fmt(f.max())).append("</td><td>").append(fmt(f.mean()))
          .append("</td><td>").append(fmt(f.sd())).append("</td>");
      for (EdaReport.ClassShare c : r.classes()) {
        Double m = f.meanByClass().get(c.label());
        h.append("<td>").append(m == null ? "–" : fmt(m)).append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table><p>The same report as JSON is served at this address without \".html\".</p></body></html>");
    return h.toString();
  }

  private static String classChart(EdaReport r) {
    int w = 640;
    int barH = 22;
    int left = 120;
    int hgt = r.classes().size() * (barH + 8) + 10;
    int max = r.classes().stream().mapToInt(EdaReport.ClassShare::count).max().orElse(1);
    StringBuilder s = new StringBuilder(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"class counts\""
            + " width=\"" + w + "\" height=\"" + hgt + "\">");
    int y = 5;
    int i = 0;
    for (EdaReport.ClassShare c : r.classes()) {
      int len = (int) Math.round((w - left - 80) * (double) c.count() / Math.max(1, max));
      s.append("<text x=\"").append(left - 6).append("\" y=\"").append(y + 16).append("\" text-anchor=\"end\">")
          .append(esc(c.label())).append("</text><rect x=\"").append(left).append("\" y=\"").append(y)
          .append("\" width=\"").append(Math.max(1, len)).append("\" height=\"").append(barH).append("\" fill=\"")
          .append(COLOURS[i++ % COLOURS.length]).append("\"/><text x=\"").append(left + len + 6).append("\" y=\"")
          .append(y + 16).append("\">").append(c.count()).append("</text>");
      y += barH + 8;
    }
    return s.append("</svg>").toString();
  }

  /** Per-class share of rows in each bin (so a rare class is visible beside a large one). */
  private static String histogram(EdaReport.FeatureSummary f, FeatureTable table, EdaReport r) {
    int j = -1;
    for (int k = 0; k < table.features().size(); k++) {
      if (table.features().get(k).name().equals(f.name())) {
        j = k;
      }
    }
    int classes = table.classes().size();
    double[][] share = new double[classes][BINS];
    int[] n = new int[classes];
    double lo = f.min();
    double width = (f.max() - f.min()) / BINS;
    for (int i = 0; i < table.rows(); i++) {
      double v = table.x()[i][j];
      if (!Double.isNaN(v)) {
        int b = Math.min(BINS - 1, (int) ((v - lo) / width));
        share[table.y()[i]][b]++;
        n[table.y()[i]]++;
      }
    }
    double top = 0;
    for (int k = 0; k < classes; k++) {
      for (int b = 0; b < BINS; b++) {
        share[k][b] = n[k] == 0 ? 0 : share[k][b] / n[k];
        top = Math.max(top, share[k][b]);
      }
    }
    int w = 300;
    int hgt = 160;
    int plot = 120;
    double bw = (double) (w - 20) / BINS;
    StringBuilder s = new StringBuilder(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"histogram of "
            + esc(f.name()) + "\" width=\"" + w + "\" height=\"" + hgt + "\">");
    for (int k = 0; k < classes; k++) {
      for (int b = 0; b < BINS; b++) {
        double hBar = top == 0 ? 0 : plot * share[k][b] / top;
        double sub = bw / classes;
        s.append("<rect x=\"").append(fmt(10 + b * bw + k * sub)).append("\" y=\"").append(fmt(10 + plot - hBar))
            .append("\" width=\"").append(fmt(Math.max(0.5, sub - 0.5))).append("\" height=\"").append(fmt(hBar))
            .append("\" fill=\"").append(COLOURS[k % COLOURS.length]).append("\"/>");
      }
    }
    s.append("<text x=\"10\" y=\"").append(hgt - 12).append("\">").append(fmt(f.min())).append("</text><text x=\"")
        .append(w - 10).append("\" y=\"").append(hgt - 12).append("\" text-anchor=\"end\">").append(fmt(f.max()))
        .append("</text>");
    int x = 60;
    for (int k = 0; k < classes; k++) {
      s.append("<rect x=\"").append(x).append("\" y=\"").append(hgt - 8).append("\" width=\"8\" height=\"8\" fill=\"")
          .append(COLOURS[k % COLOURS.length]).append("\"/><text x=\"").append(x + 10).append("\" y=\"").append(hgt)
          .append("\" font-size=\"10\">").append(esc(table.classes().get(k))).append("</text>");
      x += 50;
    }
    return s.append("</svg>").toString();
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    if (Double.isInfinite(v)) {
      return "∞";
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.2f", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
