package io.medpipe.monitoring;

import io.medpipe.monitoring.DriftPolicy.Action;
import io.medpipe.monitoring.DriftPolicy.Signal;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A monitor run's HTML report: {@link io.medpipe.monitoring.drift.DriftHtml}'s page with the run's window and the drift
 * policy's verdict per signal put under its heading. Aggregates only, like the page it extends.
 */
final class MonitorHtml {

  private MonitorHtml() {
  }

  static String render(String driftHtml, String version, UUID runId, PredictionWindow.Loaded window, Action action,
                       List<Signal> signals) {
    StringBuilder h = new StringBuilder();
    h.append("<p>Monitor run <code>").append(runId).append("</code> of <b>").append(esc(version)).append("</b>: ")
        .append(window.rows()).append(" production predictions");
    if (window.first() != null) {
      h.append(" from ").append(window.first()).append(" to ").append(window.last());
    }
    h.append(", ").append(window.withFeedback()).append(" with clinician feedback.</p>");
    h.append("<h2>Drift policy: <span class=\"").append(action == Action.NONE ? "" : "flag").append("\">")
        .append(action.id()).append("</span></h2>");
    if (signals.isEmpty()) {
      h.append("<p>No signal was tested.</p>");
    } else {
      h.append("<table><tr><th>signal</th><th>flagged</th><th>magnitude</th><th>evidence</th><th>what follows</th>"
          + "<th>why (processes/drift-policy.dmn)</th></tr>");
      for (Signal s : signals) {
        h.append("<tr><td>").append(s.signal()).append("</td><td>").append(s.flagged() ? "yes" : "no")
            .append("</td><td>").append(Double.isFinite(s.magnitude())
                ? String.format(Locale.ROOT, "%.4g", s.magnitude()) : "–")
            .append("</td><td>").append(s.evidence()).append("</td><td class=\"")
            .append(s.action() == Action.NONE ? "" : "flag").append("\">").append(s.action().id())
            .append("</td><td>").append(esc(s.reason())).append("</td></tr>");
      }
      h.append("</table>");
    }
    int at = driftHtml.indexOf("</h1>");
    return at < 0 ? driftHtml : driftHtml.substring(0, at + 5) + h + driftHtml.substring(at + 5);
  }

  private static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
