package io.medpipe.dataset;

import com.fasterxml.jackson.core.type.TypeReference;
import io.medpipe.system.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Writes and reads dataset snapshots in PostgreSQL (tables medpipe.dataset_snapshot and medpipe.dataset_row).
 * A snapshot is written once and never changed; its content hash lets anyone check that a model was trained on
 * exactly these rows.
 */
@Repository
public class SnapshotStore {

  private static final TypeReference<List<Feature>> FEATURES = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<LinkedHashMap<String, Integer>> COUNTS = new TypeReference<>() {};

  private final JdbcTemplate jdbc;
  private final Json json;

  public SnapshotStore(JdbcTemplate jdbc, Json json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** One pseudonymised row: subject pseudonym, encoded features, class label. */
  public record Row(String subjectRef, double[] features, String label) {}

  /** One scrubbed note of a row's subject, dated with the subject's shifted date. */
  public record Note(int rowNo, String subjectRef, java.time.LocalDate writtenAt, String body) {}

  /** Stores the rows as a new snapshot (classes = the labels present, sorted) and returns its description. */
  public Snapshot create(List<Feature> features, List<Row> rows, String sourceSpecHash, String processInstanceId) {
    return create(features, rows, List.of(), Map.of(), sourceSpecHash, processInstanceId);
  }

  /**
   * Stores rows, scrubbed notes and metadata as a new snapshot. The metadata gets the schema, row and class counts,
   * content and spec hashes, the notes' hash, created-at and process instance id added, so the metadata alone
   * describes the snapshot.
   */
  public Snapshot create(List<Feature> features, List<Row> rows, List<Note> notes, Map<String, Object> extra,
                         String sourceSpecHash, String processInstanceId) {
    List<String> classes = rows.stream().map(Row::label).distinct().sorted().toList();
    Map<String, Integer> counts = new LinkedHashMap<>();
    classes.forEach(c -> counts.put(c, 0));
    rows.forEach(r -> counts.merge(r.label(), 1, Integer::sum));
    String hash = contentHash(features, classes, rows);
    UUID id = UUID.randomUUID();
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("schema", features.stream().map(f -> Map.of("name", f.name(), "type", f.type().name())).toList());
    metadata.put("rowCount", rows.size());
    metadata.put("classCounts", counts);
    metadata.put("contentHash", hash);
    metadata.put("specHash", sourceSpecHash);
    metadata.put("notes", notes.size());
    metadata.put("notesHash", notesHash(notes));
    metadata.put("processInstanceId", processInstanceId);
    metadata.putAll(extra);
    OffsetDateTime now = OffsetDateTime.now();
    metadata.put("createdAt", now.toString());
    jdbc.update("""
        INSERT INTO medpipe.dataset_snapshot
          (id, created_at, features, classes, class_counts, row_count, content_hash, source_spec_hash,
           process_instance_id, metadata)
        VALUES (?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?::jsonb)""",
        id, now, json.write(features), json.write(classes), json.write(counts), rows.size(), hash, sourceSpecHash,
        processInstanceId, json.write(metadata));
    jdbc.batchUpdate("INSERT INTO medpipe.dataset_note (snapshot_id, row_no, subject_ref, written_at, body)"
        + " VALUES (?, ?, ?, ?, ?)", notes, 1000, (ps, note) -> {
          ps.setObject(1, id);
          ps.setInt(2, note.rowNo());
          ps.setString(3, note.subjectRef());
          ps.setObject(4, note.writtenAt());
          ps.setString(5, note.body());
        });
    jdbc.execute((java.sql.Connection con) -> {
      try (PreparedStatement ps = con.prepareStatement(
          "INSERT INTO medpipe.dataset_row (snapshot_id, row_no, subject_ref, features, label) VALUES (?, ?, ?, ?, ?)")) {
        int n = 0;
        for (Row row : rows) {
          ps.setObject(1, id);
          ps.setInt(2, n++);
          ps.setString(3, row.subjectRef());
          ps.setArray(4, con.createArrayOf("float8", boxed(row.features())));
          ps.setString(5, row.label());
          ps.addBatch();
          if (n % 1000 == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      return null;
    });
    return find(id);
  }

  public Snapshot find(UUID id) {
    List<Snapshot> found = jdbc.query("SELECT * FROM medpipe.dataset_snapshot WHERE id = ?", (rs, i) -> {
      List<String> classes = json.read(rs.getString("classes"), STRINGS);
      // jsonb keeps no key order: put the counts back in class order
      Map<String, Integer> stored = json.read(rs.getString("class_counts"), COUNTS);
      Map<String, Integer> counts = new LinkedHashMap<>();
      classes.forEach(c -> counts.put(c, stored.getOrDefault(c, 0)));
      return new Snapshot(rs.getObject("id", UUID.class), rs.getObject("created_at", OffsetDateTime.class),
          json.read(rs.getString("features"), FEATURES), classes, counts, rs.getInt("row_count"),
          rs.getString("content_hash"), rs.getString("source_spec_hash"), rs.getString("process_instance_id"));
    }, id);
    if (found.isEmpty()) {
      throw new IllegalArgumentException("no dataset snapshot " + id);
    }
    return found.get(0);
  }

  /** The snapshot's rows as a feature table, in row order (row i of the table is row_no i). */
  public FeatureTable table(UUID id) {
    Snapshot snapshot = find(id);
    double[][] x = new double[snapshot.rowCount()][];
    int[] y = new int[snapshot.rowCount()];
    jdbc.query("SELECT row_no, features, label FROM medpipe.dataset_row WHERE snapshot_id = ? ORDER BY row_no", rs -> {
      int n = rs.getInt(1);
      x[n] = unboxed(rs.getArray(2));
      y[n] = snapshot.classes().indexOf(rs.getString(3));
    }, id);
    return new FeatureTable(snapshot.features(), snapshot.classes(), x, y);
  }

  /**
   * SHA-256 over a canonical encoding: feature names and types, classes, then every row (subject, label, the
   * exact bits of each value, NaN canonicalised). Independent of row storage and JSON formatting.
   */
  static String contentHash(List<Feature> features, List<String> classes, List<Row> rows) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Feature f : features) {
        // the levels say what a categorical code means; unit and range what a number means
        sha.update((f.name() + ":" + f.type() + ":" + f.levels() + ":" + f.unit() + ":" + f.min() + ":" + f.max() + ";")
            .getBytes(StandardCharsets.UTF_8));
      }
      sha.update(("classes=" + String.join(",", classes) + "\n").getBytes(StandardCharsets.UTF_8));
      ByteBuffer buf = ByteBuffer.allocate(8);
      for (Row row : rows) {
        sha.update((row.subjectRef() + "|" + row.label() + "|").getBytes(StandardCharsets.UTF_8));
        for (double v : row.features()) {
          buf.clear();
          buf.putLong(Double.doubleToLongBits(v));
          sha.update(buf.array());
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The snapshot's metadata document (schema, counts, hashes, k-anonymity report, skipped documents...). */
  public com.fasterxml.jackson.databind.JsonNode metadata(UUID id) {
    String body = jdbc.queryForObject("SELECT metadata::text FROM medpipe.dataset_snapshot WHERE id = ?", String.class,
        id);
    return json.read(body, new TypeReference<com.fasterxml.jackson.databind.JsonNode>() {});
  }

  /** The snapshot's scrubbed notes in row order. */
  public List<Note> notes(UUID id) {
    return jdbc.query("SELECT row_no, subject_ref, written_at, body FROM medpipe.dataset_note WHERE snapshot_id = ?"
        + " ORDER BY row_no, written_at, body",
        (rs, i) -> new Note(rs.getInt(1), rs.getString(2),
            rs.getObject(3, java.time.LocalDate.class), rs.getString(4)),
        id);
  }

  static String notesHash(List<Note> notes) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Note n : notes) {
        sha.update((n.rowNo() + "|" + n.subjectRef() + "|" + n.writtenAt() + "|" + n.body() + "\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Double[] boxed(double[] values) {
    Double[] out = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  static double[] unboxed(Array array) throws SQLException {
    Object[] values = (Object[]) array.getArray();
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] == null ? Double.NaN : ((Number) values[i]).doubleValue();
    }
    return out;
  }

}
