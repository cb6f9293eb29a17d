package io.medpipe.monitoring;

import io.medpipe.dataset.Feature;
import io.medpipe.monitoring.drift.Window;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Reads a window of the production prediction log for the monitor: the served version's predictions (the last N, or
 * those of a time span), each with its logged inputs, probabilities and explanation, and the clinician's latest
 * feedback where one has arrived. A prediction without feedback stays unlabelled, never a negative.
 *
 * <p>The JSON columns are taken apart by PostgreSQL (one column per feature and class), so the monitor never parses
 * 100,000 JSON documents in Java; explanations come back as "feature=shap;..." strings.
 */
@Repository
class PredictionWindow {

  /** The window as the monitor reads it. */
  record Loaded(Window window, int rows, Instant first, Instant last, long withFeedback, boolean explained) {}

  /**
   * Which predictions: the last {@code last} ones, or those created in [from, to).
   *
   * @param last at least 1, or null with from and to
   */
  record Spec(Integer last, Instant from, Instant to) {}

  private final JdbcTemplate jdbc;

  PredictionWindow(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  Loaded load(UUID versionId, List<Feature> features, List<String> classes, Spec spec) {
    StringBuilder sql = new StringBuilder("SELECT l.created_at");
    List<Object> args = new ArrayList<>();
    for (Feature f : features) {
      sql.append(", l.features ->> ?");
      args.add(f.name());
    }
    for (String c : classes) {
      sql.append(", (l.probabilities ->> ?)::float8");
      args.add(c);
    }
    // the explanation's features and SHAP values as two JSON arrays, and the latest feedback per prediction by a hash
    // join rather than a subquery per row: at 100,000 predictions the per-row subqueries took most of the run
    sql.append(", l.predicted_class")
        .append(", jsonb_path_query_array(l.explanation, '$.contributions[*].feature')::text")
        .append(", jsonb_path_query_array(l.explanation, '$.contributions[*].shap')::text")
        .append(", jsonb_typeof(l.explanation) = 'object'")
        .append(", f.confirmed_class")
        .append(" FROM medpipe.prediction_log l LEFT JOIN (SELECT DISTINCT ON (prediction_id) prediction_id,"
            + " confirmed_class FROM medpipe.prediction_feedback ORDER BY prediction_id, created_at DESC) f"
            + " ON f.prediction_id = l.id WHERE l.model_version_id = ? AND l.slot = 'production'");
    args.add(versionId);
    if (spec.last() == null) {
      sql.append(" AND l.created_at >= ? AND l.created_at < ? ORDER BY l.created_at DESC");
      args.add(Timestamp.from(spec.from()));
      args.add(Timestamp.from(spec.to()));
    } else {
      sql.append(" ORDER BY l.created_at DESC LIMIT ?");
      args.add(spec.last());
    }
    int p = features.size();
    int k = classes.size();
    List<double[]> rows = new ArrayList<>();
    List<double[]> probabilities = new ArrayList<>();
    List<Integer> predicted = new ArrayList<>();
    List<double[]> shap = new ArrayList<>();
    List<Integer> feedback = new ArrayList<>();
    boolean[] anyExplained = {false};
    long[] labelled = {0};
    Instant[] span = {null, null};
    jdbc.query(con -> {
      var ps = con.prepareStatement(sql.toString());
      ps.setFetchSize(5000);
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      return ps;
    }, rs -> {
      Instant at = rs.getTimestamp(1).toInstant();
      span[0] = span[0] == null || at.isBefore(span[0]) ? at : span[0];
      span[1] = span[1] == null || at.isAfter(span[1]) ? at : span[1];
      double[] row = new double[p];
      for (int j = 0; j < p; j++) {
        row[j] = encode(features.get(j), rs.getString(2 + j));
      }
      double[] proba = new double[k];
      for (int c = 0; c < k; c++) {
        double v = rs.getDouble(2 + p + c);
        proba[c] = rs.wasNull() ? Double.NaN : v;
      }
      int col = 2 + p + k;
      // no class logged: the API made no automated decision (input below the required completeness); the row's
      // features and probabilities still describe the population, so it stays in the window as -1
      String answered = rs.getString(col);
      int decided = answered == null ? -1 : classes.indexOf(answered);
      if (answered != null && decided < 0) {
        throw new IllegalStateException("a logged prediction names a class the version does not have");
      }
      double[] contributions = null;
      if (rs.getBoolean(col + 3)) {
        anyExplained[0] = true;
        contributions = new double[p];
        String[] names = strings(rs.getString(col + 1));
        String[] values = strings(rs.getString(col + 2));
        for (int c = 0; c < names.length && c < values.length; c++) {
          contributions[ReferenceProfiler.indexOf(features, unquote(names[c]))] += Double.parseDouble(values[c]);
        }
      }
      String confirmed = rs.getString(col + 4);
      int label = confirmed == null ? -1 : classes.indexOf(confirmed);
      if (label >= 0) {
        labelled[0]++;
      }
      rows.add(row);
      probabilities.add(proba);
      predicted.add(decided);
      shap.add(contributions);
      feedback.add(label);
    });
    int n = rows.size();
    Window window = new Window(rows.toArray(double[][]::new), predicted.stream().mapToInt(Integer::intValue).toArray(),
        probabilities.toArray(double[][]::new), anyExplained[0] ? shap.toArray(double[][]::new) : null,
        feedback.stream().mapToInt(Integer::intValue).toArray());
    return new Loaded(window, n, span[0], span[1], labelled[0], anyExplained[0]);
  }

  /**
   * The elements of a flat JSON array of feature names or numbers as PostgreSQL prints it ({@code ["a", "b"]},
   * {@code [0.1, -2]}). Feature names are snake_case (the extraction spec's rule), so they hold no comma or quote.
   */
  private static String[] strings(String array) {
    if (array == null || array.length() <= 2) {
      return new String[0];
    }
    String[] parts = array.substring(1, array.length() - 1).split(",");
    for (int i = 0; i < parts.length; i++) {
      parts[i] = parts[i].trim();
    }
    return parts;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.charAt(0) == '"' ? s.substring(1, s.length() - 1) : s;
  }

  /** A logged value (as PredictionLog writes it: number, true/false, level text) in model encoding; NaN = missing. */
  static double encode(Feature feature, String value) {
    if (value == null) {
      return Double.NaN;
    }
    return switch (feature.type()) {
      case NUMERIC -> Double.parseDouble(value);
      case BINARY -> "true".equals(value) ? 1 : "false".equals(value) ? 0 : Double.parseDouble(value);
      // a level the model does not know becomes -1: the drift tests count it as an unseen category
      case CATEGORICAL -> feature.levels().indexOf(value);
    };
  }
}
