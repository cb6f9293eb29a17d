package io.medpipe.monitoring;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureType;
import io.medpipe.monitoring.drift.Window;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
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
    // one narrow query: the inputs as the model read them and the SHAP values by feature, each one float8 array sent
    // in binary (see the prepare threshold below), the probabilities, and the latest feedback per prediction by a hash
    // join rather than a subquery per row (at 100,000 predictions the per-row subqueries took most of the run). A row
    // logged before those arrays existed is completed from its JSON afterwards (legacy, below).
    StringBuilder sql = new StringBuilder("SELECT l.created_at, l.id, l.encoded, l.shap, l.predicted_class,"
        + " f.confirmed_class");
    List<Object> args = new ArrayList<>();
    for (String c : classes) {
      sql.append(", (l.probabilities ->> ?)::float8");
      args.add(c);
    }
    sql.append(" FROM medpipe.prediction_log l LEFT JOIN (SELECT DISTINCT ON (prediction_id) prediction_id,"
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
    Map<UUID, Integer> legacy = new HashMap<>();
    long[] labelled = {0};
    Instant[] span = {null, null};
    jdbc.query(con -> {
      var ps = con.prepareStatement(sql.toString());
      // a server-prepared statement from the first execution: the driver then receives float8 in binary
      ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1);
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      return ps;
    }, rs -> {
      Instant at = rs.getTimestamp(1).toInstant();
      span[0] = span[0] == null || at.isBefore(span[0]) ? at : span[0];
      span[1] = span[1] == null || at.isAfter(span[1]) ? at : span[1];
      double[] row = doubles(rs.getArray(3), p, "encoded inputs");
      if (row == null) {
        legacy.put(rs.getObject(2, UUID.class), rows.size());
        row = new double[p];
      }
      // no class logged: the API made no automated decision (input below the required completeness); the row's
      // features and probabilities still describe the population, so it stays in the window as -1
      String answered = rs.getString(5);
      int decided = answered == null ? -1 : classes.indexOf(answered);
      if (answered != null && decided < 0) {
        throw new IllegalStateException("a logged prediction names a class the version does not have");
      }
      String confirmed = rs.getString(6);
      int label = confirmed == null ? -1 : classes.indexOf(confirmed);
      if (label >= 0) {
        labelled[0]++;
      }
      double[] proba = new double[k];
      for (int c = 0; c < k; c++) {
        double v = rs.getDouble(7 + c);
        proba[c] = rs.wasNull() ? Double.NaN : v;
      }
      rows.add(row);
      probabilities.add(proba);
      predicted.add(decided);
      shap.add(doubles(rs.getArray(4), p, "SHAP values"));
      feedback.add(label);
    });
    if (!legacy.isEmpty()) {
      completeFromJson(legacy, features, rows, shap);
    }
    int n = rows.size();
    boolean anyExplained = shap.stream().anyMatch(java.util.Objects::nonNull);
    Window window = new Window(rows.toArray(double[][]::new), predicted.stream().mapToInt(Integer::intValue).toArray(),
        probabilities.toArray(double[][]::new), anyExplained ? shap.toArray(double[][]::new) : null,
        feedback.stream().mapToInt(Integer::intValue).toArray());
    return new Loaded(window, n, span[0], span[1], labelled[0], anyExplained);
  }

  /** A logged float8 array of one value per model feature, or null if none was logged. */
  private static double[] doubles(java.sql.Array array, int p, String what) throws java.sql.SQLException {
    if (array == null) {
      return null;
    }
    Double[] values = (Double[]) array.getArray();
    if (values.length != p) {
      throw new IllegalStateException("a logged prediction has " + values.length + " " + what + ", the version " + p
          + " features");
    }
    double[] out = new double[p];
    for (int j = 0; j < p; j++) {
      out[j] = values[j];
    }
    return out;
  }

  /**
   * The inputs and explanations of rows logged before the float8 arrays existed, taken apart from their JSON (numbers
   * converted by PostgreSQL), written into the window's rows in place.
   */
  private void completeFromJson(Map<UUID, Integer> legacy, List<Feature> features, List<double[]> rows,
                                List<double[]> shap) {
    StringBuilder sql = new StringBuilder("SELECT l.id");
    List<Object> args = new ArrayList<>();
    for (Feature f : features) {
      sql.append(f.type() == FeatureType.NUMERIC ? ", (l.features ->> ?)::float8" : ", l.features ->> ?");
      args.add(f.name());
    }
    sql.append(", jsonb_typeof(l.explanation) = 'object'")
        .append(", jsonb_path_query_array(l.explanation, '$.contributions[*].feature')::text")
        .append(", jsonb_path_query_array(l.explanation, '$.contributions[*].shap')::text")
        .append(" FROM medpipe.prediction_log l WHERE l.id = ANY (?)");
    int p = features.size();
    jdbc.query(con -> {
      var ps = con.prepareStatement(sql.toString());
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      ps.setArray(args.size() + 1, con.createArrayOf("uuid", legacy.keySet().toArray()));
      return ps;
    }, rs -> {
      int at = legacy.get(rs.getObject(1, UUID.class));
      double[] row = rows.get(at);
      for (int j = 0; j < p; j++) {
        Feature feature = features.get(j);
        if (feature.type() == FeatureType.NUMERIC) {
          double v = rs.getDouble(2 + j);
          row[j] = rs.wasNull() ? Double.NaN : v;
        } else {
          row[j] = encode(feature, rs.getString(2 + j));
        }
      }
      if (rs.getBoolean(2 + p)) {
        double[] contributions = new double[p];
        String[] names = strings(rs.getString(3 + p));
        String[] values = strings(rs.getString(4 + p));
        for (int c = 0; c < names.length && c < values.length; c++) {
          contributions[ReferenceProfiler.indexOf(features, unquote(names[c]))] += Double.parseDouble(values[c]);
        }
        shap.set(at, contributions);
      }
    });
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
