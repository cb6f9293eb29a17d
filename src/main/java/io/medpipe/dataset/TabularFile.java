package io.medpipe.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed export: column names and the data rows with the line each came from. Reads CSV (header row,
 * RFC 4180 quoting, empty field = missing) and Weka ARFF (@attribute declarations, '?' = missing, nominal values
 * checked against their declaration). Errors name file, line and column.
 *
 * @param file    the file name used in messages
 * @param format  csv or arff
 * @param columns column names in file order
 * @param rows    data rows; a null cell is a missing value
 */
public record TabularFile(String file, String format, List<String> columns, List<Row> rows) {

  /** One data row and its line number in the file (1-based). */
  public record Row(int line, String[] cells) {}

  /**
   * A file that cannot be read as a table: every problem found (up to a limit) names the file, line and column, and
   * never quotes a cell value, which may identify a patient.
   */
  public static final class Invalid extends RuntimeException {

    private final List<String> problems;

    public Invalid(String file, List<String> problems) {
      super("cannot read " + file + ": " + String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    /** The problems, each naming file, line and column. */
    public List<String> problems() {
      return problems;
    }
  }

  private static final int MAX_PROBLEMS = 20;

  /** Reads a .csv or .arff file, by extension. */
  public static TabularFile read(Path path) {
    String name = path.getFileName().toString();
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new Invalid(name, List.of(name + ": the file is not UTF-8 text"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
    return parse(name, text);
  }

  /** Parses text as CSV or ARFF according to the file name's extension. */
  public static TabularFile parse(String name, String text) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".arff")) {
      return parseArff(name, text);
    }
    if (lower.endsWith(".csv")) {
      return parseCsv(name, text);
    }
    throw new Invalid(name, List.of(name + ": unknown format: the file name must end in .csv or .arff"));
  }

  /** Parses text in the given format, csv or arff, whatever the file name's extension. */
  public static TabularFile parse(String name, String text, String format) {
    return switch (format.toLowerCase(Locale.ROOT)) {
      case "csv" -> parseCsv(name, text);
      case "arff" -> parseArff(name, text);
      default -> throw new Invalid(name, List.of(name + ": unknown format " + format + ": csv or arff"));
    };
  }

  static TabularFile parseCsv(String name, String text) {
    List<String> problems = new ArrayList<>();
    List<Row> records = splitRecords(name, text, ',', problems);
    if (records.isEmpty()) {
      throw new Invalid(name, List.of(name + ": the file is empty, a header row is required"));
    }
    List<String> header = new ArrayList<>();
    for (String h : records.get(0).cells()) {
      String col = h == null ? "" : h.trim();
      if (col.isEmpty()) {
        problems.add(name + ":" + records.get(0).line() + ": empty column name in the header");
      } else if (header.contains(col)) {
        problems.add(name + ":" + records.get(0).line() + ": duplicate column " + col);
      }
      header.add(col);
    }
    List<Row> rows = new ArrayList<>();
    for (Row r : records.subList(1, records.size())) {
      if (r.cells().length != header.size()) {
        add(problems, name + ":" + r.line() + ": " + r.cells().length + " fields, the header has " + header.size());
        continue;
      }
      String[] cells = r.cells();
      for (int i = 0; i < cells.length; i++) {
        if (cells[i] != null && cells[i].isBlank()) {
          cells[i] = null;
        }
      }
      rows.add(r);
    }
    fail(name, problems);
    return new TabularFile(name, "csv", List.copyOf(header), List.copyOf(rows));
  }

  static TabularFile parseArff(String name, String text) {
    List<String> problems = new ArrayList<>();
    Map<String, List<String>> attributes = new LinkedHashMap<>();
    String[] lines = text.split("\r?\n|\r", -1);
    int i = 0;
    boolean data = false;
    for (; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty() || line.startsWith("%")) {
        continue;
      }
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("@relation")) {
        continue;
      }
      if (lower.startsWith("@attribute")) {
        parseAttribute(name, i + 1, line.substring("@attribute".length()).trim(), attributes, problems);
        continue;
      }
      if (lower.startsWith("@data")) {
        data = true;
        i++;
        break;
      }
      add(problems, name + ":" + (i + 1) + ": expected @relation, @attribute or @data");
    }
    if (!data) {
      add(problems, name + ": no @data section");
    }
    if (attributes.isEmpty()) {
      add(problems, name + ": no @attribute declarations");
    }
    fail(name, problems);
    List<String> columns = List.copyOf(attributes.keySet());
    StringBuilder rest = new StringBuilder();
    int firstDataLine = i + 1;
    for (int k = i; k < lines.length; k++) {
      String line = lines[k].trim();
      // comments and blank lines keep their place so line numbers stay right
      rest.append(line.startsWith("%") ? "" : lines[k]).append('\n');
    }
    List<Row> records = splitRecords(name, rest.toString(), ',', problems);
    List<Row> rows = new ArrayList<>();
    for (Row r : records) {
      Row shifted = new Row(r.line() + firstDataLine - 1, r.cells());
      if (shifted.cells().length != columns.size()) {
        add(problems, name + ":" + shifted.line() + ": " + shifted.cells().length + " values, " + columns.size()
            + " attributes are declared");
        continue;
      }
      String[] cells = shifted.cells();
      for (int c = 0; c < cells.length; c++) {
        String v = cells[c] == null ? null : cells[c].trim();
        if (v == null || v.isEmpty() || v.equals("?")) {
          cells[c] = null;
          continue;
        }
        cells[c] = v;
        List<String> nominal = attributes.get(columns.get(c));
        if (nominal != null && !nominal.contains(v)) {
          add(problems, name + ":" + shifted.line() + ": column " + (c + 1) + " (" + columns.get(c)
              + ") is not one of the declared values " + nominal);
        }
      }
      rows.add(shifted);
    }
    fail(name, problems);
    return new TabularFile(name, "arff", columns, List.copyOf(rows));
  }

  private static void parseAttribute(String name, int line, String decl, Map<String, List<String>> attributes,
                                     List<String> problems) {
    String attr;
    String type;
    if (decl.startsWith("'") || decl.startsWith("\"")) {
      int end = decl.indexOf(decl.charAt(0), 1);
      if (end < 0) {
        add(problems, name + ":" + line + ": unterminated attribute name");
        return;
      }
      attr = decl.substring(1, end);
      type = decl.substring(end + 1).trim();
    } else {
      String[] parts = decl.split("\\s+", 2);
      attr = parts[0];
      type = parts.length > 1 ? parts[1].trim() : "";
    }
    if (attributes.containsKey(attr)) {
      add(problems, name + ":" + line + ": duplicate attribute " + attr);
      return;
    }
    if (type.startsWith("{")) {
      if (!type.endsWith("}")) {
        add(problems, name + ":" + line + ": nominal values of " + attr + " must end with }");
        return;
      }
      List<String> values = new ArrayList<>();
      for (String v : type.substring(1, type.length() - 1).split(",")) {
        values.add(unquote(v.trim()));
      }
      attributes.put(attr, values);
    } else {
      String t = type.toLowerCase(Locale.ROOT);
      if (!(t.equals("numeric") || t.equals("real") || t.equals("integer") || t.equals("string")
          || t.startsWith("date"))) {
        add(problems, name + ":" + line + ": unsupported type of attribute " + attr);
        return;
      }
      attributes.put(attr, null);
    }
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** Splits text into records (RFC 4180: quoted fields may hold separators, quotes and line breaks). */
  private static List<Row> splitRecords(String name, String text, char sep, List<String> problems) {
    List<Row> out = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = text.length();
    if (n > 0 && text.charAt(0) == '\uFEFF') {
      i = 1;
    }
    while (i < n) {
      int start = line;
      List<String> cells = new ArrayList<>();
      StringBuilder cell = new StringBuilder();
      boolean quoted = false;
      boolean blank = true;
      while (i < n) {
        char ch = text.charAt(i);
        if (quoted) {
          if (ch == '"') {
            if (i + 1 < n && text.charAt(i + 1) == '"') {
              cell.append('"');
              i += 2;
              continue;
            }
            quoted = false;
            i++;
            continue;
          }
          if (ch == '\n') {
            line++;
          }
          cell.append(ch);
          i++;
          continue;
        }
        if (ch == '"' && cell.toString().isBlank()) {
          quoted = true;
          blank = false;
          cell.setLength(0);
          i++;
          continue;
        }
        if (ch == sep) {
          cells.add(cell.toString());
          cell.setLength(0);
          blank = false;
          i++;
          continue;
        }
        if (ch == '\r' || ch == '\n') {
          if (ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
            i++;
          }
          i++;
          line++;
          break;
        }
        if (!Character.isWhitespace(ch)) {
          blank = false;
        }
        cell.append(ch);
        i++;
      }
      if (quoted) {
        add(problems, name + ":" + start + ": a quoted field is not closed");
        break;
      }
      cells.add(cell.toString());
      if (blank && cells.size() == 1) {
        continue;   // blank line
      }
      out.add(new Row(start, cells.toArray(String[]::new)));
    }
    return out;
  }

  private static void add(List<String> problems, String problem) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(problem);
    } else if (problems.size() == MAX_PROBLEMS) {
      problems.add("more problems not listed");
    }
  }

  private static void fail(String name, List<String> problems) {
    if (!problems.isEmpty()) {
      throw new Invalid(name, problems);
    }
  }
}
