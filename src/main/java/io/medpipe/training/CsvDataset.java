package io.medpipe.training;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.TabularFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Any table (a parsed CSV or ARFF) as a {@link FeatureTable} for cross-validation, with no mapping: an empty cell is
 * missing (NaN); a column whose non-empty values all parse as numbers is NUMERIC (range = observed range); any other
 * column is CATEGORICAL with its distinct values, sorted, as levels. Class labels are sorted too, so their indices do
 * not depend on row order. The same inference as the test fixtures of the training benchmark.
 *
 * @param table   the features and the label
 * @param labels  the label value of each data row, as written
 * @param lines   the file line of each data row (1-based), for messages
 * @param ids     the value of the identifier column of each row ({@code --id}), or null without one; never a feature
 * @param dropped the columns left out of the features ({@code --drop} and the identifier)
 */
public record CsvDataset(String file, String labelColumn, FeatureTable table, String[] labels, int[] lines,
                         String[] ids, List<String> dropped) {

  /** Input that cannot be evaluated; the message is one line naming the file (and line and column when known). */
  public static final class Invalid extends RuntimeException {
    public Invalid(String message) {
      super(message);
    }
  }

  public static CsvDataset of(TabularFile file, String labelColumn) {
    return of(file, labelColumn, List.of(), null);
  }

  /**
   * The table with the columns {@code drop} left out, and {@code idColumn} (null: none) kept only as each row's
   * identifier.
   *
   * @throws Invalid if the label, a dropped column or the identifier is not a column, or the label is among them
   */
  public static CsvDataset of(TabularFile file, String labelColumn, List<String> drop, String idColumn) {
    List<String> header = file.columns();
    int label = header.indexOf(labelColumn);
    if (label < 0) {
      throw new Invalid(file.file() + ": no column " + labelColumn + " (columns: " + String.join(", ", header) + ")");
    }
    List<String> dropped = new ArrayList<>();
    for (String d : drop) {
      if (!header.contains(d)) {
        throw new Invalid(file.file() + ": --drop " + d + ": no such column (columns: " + String.join(", ", header)
            + ")");
      }
      if (d.equals(labelColumn)) {
        throw new Invalid("--drop " + d + ": that is the label column");
      }
      dropped.add(d);
    }
    int id = -1;
    if (idColumn != null) {
      id = header.indexOf(idColumn);
      if (id < 0) {
        throw new Invalid(file.file() + ": --id " + idColumn + ": no such column (columns: " + String.join(", ",
            header) + ")");
      }
      if (id == label) {
        throw new Invalid("--id " + idColumn + ": that is the label column");
      }
      if (!dropped.contains(idColumn)) {
        dropped.add(idColumn);
      }
    }
    List<TabularFile.Row> rows = file.rows();
    if (rows.isEmpty()) {
      throw new Invalid(file.file() + ": no data rows");
    }
    String[] labels = new String[rows.size()];
    int[] lines = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      String v = rows.get(i).cells()[label];
      lines[i] = rows.get(i).line();
      if (v == null || v.isBlank()) {
        throw new Invalid(file.file() + ":" + lines[i] + ": column " + labelColumn + " (the label) is empty");
      }
      labels[i] = v.trim();
    }
    List<String> classes = List.copyOf(new TreeSet<>(Arrays.asList(labels)));
    if (classes.size() < 2) {
      throw new Invalid(file.file() + ": column " + labelColumn + " has a single class (" + classes.get(0)
          + "): a classifier needs at least two");
    }
    List<Feature> features = new ArrayList<>();
    List<Integer> columns = new ArrayList<>();
    for (int c = 0; c < header.size(); c++) {
      if (c != label && !dropped.contains(header.get(c))) {
        columns.add(c);
        features.add(feature(header.get(c), rows, c));
      }
    }
    if (features.isEmpty()) {
      throw new Invalid(file.file() + ": no feature columns besides the label " + labelColumn
          + (dropped.isEmpty() ? "" : " and the dropped " + dropped));
    }
    String[] ids = null;
    if (id >= 0) {
      ids = new String[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        String v = rows.get(i).cells()[id];
        ids[i] = v == null ? "" : v.trim();
      }
    }
    double[][] x = new double[rows.size()][features.size()];
    int[] y = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i).cells();
      y[i] = classes.indexOf(labels[i]);
      for (int j = 0; j < features.size(); j++) {
        String v = r[columns.get(j)];
        Feature f = features.get(j);
        x[i][j] = v == null || v.isBlank() ? Double.NaN
            : f.levels().isEmpty() ? Double.parseDouble(v.trim()) : f.levels().indexOf(v.trim());
      }
    }
    return new CsvDataset(file.file(), labelColumn, new FeatureTable(features, classes, x, y), labels, lines, ids,
        List.copyOf(dropped));
  }

  private static Feature feature(String name, List<TabularFile.Row> rows, int column) {
    TreeSet<String> values = new TreeSet<>();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    boolean numeric = true;
    for (TabularFile.Row row : rows) {
      String v = row.cells()[column];
      if (v == null || v.isBlank()) {
        continue;
      }
      v = v.trim();
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

  /**
   * A folds file in the peers' format ({@code row,fold,class}: 0-based data row, its test fold, its class), checked
   * against this data: every row exactly once, folds 0.., and the same class as the data's label.
   *
   * @return the test fold of each data row
   */
  public int[] folds(TabularFile folds) {
    String name = folds.file();
    int rowCol = folds.columns().indexOf("row");
    int foldCol = folds.columns().indexOf("fold");
    int classCol = folds.columns().indexOf("class");
    if (rowCol < 0 || foldCol < 0) {
      throw new Invalid(name + ":1: the header must have columns row,fold[,class], has " + folds.columns());
    }
    int n = labels.length;
    if (folds.rows().size() != n) {
      throw new Invalid(name + ": " + folds.rows().size() + " rows, but " + file + " has " + n + " data rows");
    }
    int[] fold = new int[n];
    Arrays.fill(fold, -1);
    for (TabularFile.Row r : folds.rows()) {
      int row = integer(name, r, rowCol, "row");
      int f = integer(name, r, foldCol, "fold");
      if (row >= n) {
        throw new Invalid(name + ":" + r.line() + ": column row: " + row + " is past the last data row of " + file
            + " (" + (n - 1) + ", 0-based)");
      }
      if (fold[row] >= 0) {
        throw new Invalid(name + ":" + r.line() + ": column row: data row " + row + " appears twice");
      }
      if (classCol >= 0) {
        String c = r.cells()[classCol] == null ? "" : r.cells()[classCol].trim();
        if (!c.equals(labels[row])) {
          throw new Invalid(name + ":" + r.line() + ": column class: " + c + ", but row " + row + " of " + file
              + " (line " + lines[row] + ", column " + labelColumn + ") is " + labels[row]);
        }
      }
      fold[row] = f;
    }
    int k = Arrays.stream(fold).max().orElse(0) + 1;
    if (k < 2) {
      throw new Invalid(name + ": a single fold; cross-validation needs at least 2");
    }
    for (int f = 0; f < k; f++) {
      final int ff = f;
      if (Arrays.stream(fold).noneMatch(v -> v == ff)) {
        throw new Invalid(name + ": fold " + f + " has no rows (folds must be numbered 0.." + (k - 1) + ")");
      }
    }
    // a class all of whose rows sit in one fold is allowed: that fold's model never sees it and gives it the little
    // probability it can (medpipe evaluate says so); a fold whose training rows hold a single class cannot be fitted
    int[] y = table.y();
    for (int f = 0; f < k; f++) {
      boolean[] trained = new boolean[table.classes().size()];
      for (int i = 0; i < n; i++) {
        if (fold[i] != f) {
          trained[y[i]] = true;
        }
      }
      int seen = 0;
      for (boolean t : trained) {
        seen += t ? 1 : 0;
      }
      if (seen < 2) {
        throw new Invalid(name + ": the rows outside fold " + f + " hold a single class, so no model can be fitted "
            + "for that fold");
      }
    }
    return fold;
  }

  private static int integer(String name, TabularFile.Row r, int col, String column) {
    String v = r.cells()[col];
    try {
      int i = Integer.parseInt(v == null ? "" : v.trim());
      if (i < 0) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw new Invalid(name + ":" + r.line() + ": column " + column + ": not a whole number >= 0");
    }
  }
}
