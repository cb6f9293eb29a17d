package io.medpipe.training;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A test-only reader of small, simple CSV files (header row, no quoted commas) into a {@link FeatureTable}.
 *
 * <p>An empty field is missing (NaN). A column whose non-empty values all parse as numbers is NUMERIC (range = observed
 * range); any other column is CATEGORICAL with its distinct values, sorted, as levels. Class labels are sorted too,
 * so their indices do not depend on row order.
 */
final class CsvFixtures {

  private CsvFixtures() {
  }

  static FeatureTable read(String resource, String labelColumn) {
    List<String[]> rows = new ArrayList<>();
    String[] header;
    try (InputStream in = CsvFixtures.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + resource);
      }
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R");
      header = lines[0].split(",", -1);
      for (int i = 1; i < lines.length; i++) {
        if (!lines[i].isBlank()) {
          String[] fields = lines[i].split(",", -1);
          if (fields.length != header.length) {
            throw new IllegalArgumentException(resource + " line " + (i + 1) + " has " + fields.length + " fields");
          }
          rows.add(fields);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    int label = List.of(header).indexOf(labelColumn);
    if (label < 0) {
      throw new IllegalArgumentException("no column " + labelColumn);
    }
    List<String> classes = List.copyOf(new TreeSet<>(rows.stream().map(r -> r[label].trim()).toList()));
    List<Feature> features = new ArrayList<>();
    List<Integer> columns = new ArrayList<>();
    for (int c = 0; c < header.length; c++) {
      if (c == label) {
        continue;
      }
      columns.add(c);
      features.add(feature(header[c].trim(), rows, c));
    }

    double[][] x = new double[rows.size()][features.size()];
    int[] y = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      y[i] = classes.indexOf(r[label].trim());
      for (int j = 0; j < features.size(); j++) {
        String v = r[columns.get(j)].trim();
        Feature f = features.get(j);
        x[i][j] = v.isEmpty() ? Double.NaN
            : f.levels().isEmpty() ? Double.parseDouble(v) : f.levels().indexOf(v);
      }
    }
    return new FeatureTable(features, classes, x, y);
  }

  private static Feature feature(String name, List<String[]> rows, int column) {
    TreeSet<String> values = new TreeSet<>();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    boolean numeric = true;
    for (String[] r : rows) {
      String v = r[column].trim();
      if (v.isEmpty()) {
        continue;
      }
      values.add(v);
      try {
        double d = Double.parseDouble(v);
        min = Math.min(min, d);
        max = Math.max(max, d);
      } catch (NumberFormatException e) {
        numeric = false;
      }
    }
    if (numeric) {
      return values.isEmpty() ? Feature.numeric(name, null, 0, 0, false) : Feature.numeric(name, null, min, max, false);
    }
    return Feature.categorical(name, List.copyOf(values), false);
  }
}
