package io.medpipe.ehr;

import io.medpipe.ehr.FeatureSpec.FeatureDef;
import io.medpipe.ehr.FeatureSpec.LabelClass;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link FeatureSpec} against schema ehr and stores the identified result as an {@code ehr.extract} with
 * one {@code ehr.extract_row} per patient, ordered by patient id.
 *
 * <p>Per patient: the latest value of each lab observed on or before the index date (ties: the last inserted),
 * whether each symptom was recorded on or before it (1/0), sex as the index of its level, and the label of the
 * first spec class with a matching diagnosis on or before the index date. Age is NaN in the feature array: it is
 * computed from birth_date (its own column) when the pseudonymisation step coarsens dates. A missing lab is NaN.
 *
 * <p>The whole extraction is one INSERT ... SELECT built from the spec, so rows never leave the database;
 * codes and labels are bound as parameters, never spliced into the SQL.
 */
public final class EhrExtractor {

  private static final Logger LOG = LoggerFactory.getLogger(EhrExtractor.class);

  private final DataSource dataSource;
  private final Clock clock;

  public EhrExtractor(DataSource dataSource) {
    this(dataSource, Clock.systemDefaultZone());
  }

  public EhrExtractor(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** What an extraction produced; class counts in spec order, default label last, zero counts included. */
  public record ExtractSummary(UUID extractId, int rows, Map<String, Integer> classCounts, String specHash) {
    public ExtractSummary {
      classCounts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(classCounts));
    }
  }

  /** One stored extract row (identified: PHI zone only). */
  public record ExtractRow(int rowNo, long patientId, String mrn, LocalDate birthDate, String sex, String zip,
                           double[] features, String label) {
  }

  /** Extracts at the index date the spec's rule gives today. */
  public ExtractSummary extract(FeatureSpec spec, String processInstanceId) {
    return extract(spec, spec.indexDate().resolve(LocalDate.now(clock)), processInstanceId);
  }

  /** Extracts at the given index date. */
  public ExtractSummary extract(FeatureSpec spec, LocalDate indexDate, String processInstanceId) {
    UUID id = UUID.randomUUID();
    String hash = spec.sha256();
    List<Object> params = new ArrayList<>();
    String sql = insertSql(spec, id, indexDate, params);
    try (Connection c = dataSource.getConnection()) {
      return Transactions.inTransaction(c, tx -> extractRows(tx, spec, id, indexDate, hash, sql, params,
          processInstanceId));
    } catch (SQLException e) {
      throw new IllegalStateException("extraction of spec " + spec.name() + " failed", e);
    }
  }

  private ExtractSummary extractRows(Connection c, FeatureSpec spec, UUID id, LocalDate indexDate, String hash,
                                     String sql, List<Object> params, String processInstanceId)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ehr.extract (id, spec_hash, index_date,"
        + " row_count, process_instance_id) VALUES (?, ?, ?, 0, ?)")) {
      ps.setObject(1, id);
      ps.setString(2, hash);
      ps.setObject(3, indexDate);
      ps.setString(4, processInstanceId);
      ps.executeUpdate();
    }
    int rows;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        Object p = params.get(i);
        if (p instanceof String[] codes) {
          ps.setArray(i + 1, c.createArrayOf("text", codes));
        } else {
          ps.setObject(i + 1, p);
        }
      }
      rows = ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE ehr.extract SET row_count = ? WHERE id = ?")) {
      ps.setInt(1, rows);
      ps.setObject(2, id);
      ps.executeUpdate();
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    spec.classLabels().forEach(l -> counts.put(l, 0));
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT label, count(*) FROM ehr.extract_row WHERE extract_id = ? GROUP BY label")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    LOG.info("extract {} of spec {} v{}: {} rows, classes {}", id, spec.name(), spec.version(), rows, counts);
    return new ExtractSummary(id, rows, counts, hash);
  }

  /** The rows of an extract in row order. */
  public List<ExtractRow> rows(UUID extractId) {
    List<ExtractRow> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT row_no, patient_id, mrn, birth_date, sex, zip, features,"
             + " label FROM ehr.extract_row WHERE extract_id = ? ORDER BY row_no")) {
      ps.setObject(1, extractId);
      ps.setFetchSize(5000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Array a = rs.getArray(7);
          Double[] boxed = (Double[]) a.getArray();
          double[] f = new double[boxed.length];
          for (int i = 0; i < f.length; i++) {
            f[i] = boxed[i];
          }
          out.add(new ExtractRow(rs.getInt(1), rs.getLong(2), rs.getString(3), rs.getObject(4, LocalDate.class),
              rs.getString(5), rs.getString(6), f, rs.getString(8)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read extract " + extractId, e);
    }
    return out;
  }

  /** The INSERT ... SELECT for a spec; {@code params} receives the bind values in placeholder order. */
  static String insertSql(FeatureSpec spec, UUID extractId, LocalDate indexDate, List<Object> params) {
    List<FeatureDef> defs = spec.featureDefs();
    List<String> labCodes = new ArrayList<>();
    List<String> symptomCodes = new ArrayList<>();
    for (FeatureDef f : defs) {
      if (f.isLab()) {
        labCodes.add(f.code());
      } else if (f.isSymptom()) {
        symptomCodes.add(f.code());
      }
    }
    StringBuilder sql = new StringBuilder(4000);
    sql.append("WITH lab AS (SELECT patient_id");
    for (int i = 0; i < labCodes.size(); i++) {
      // latest value on or before the index date; the later-inserted row wins a same-day tie
      sql.append(", (array_agg(value ORDER BY observed_at DESC, id DESC) FILTER (WHERE code = ?))[1] AS l").append(i);
      params.add(labCodes.get(i));
    }
    sql.append(" FROM ehr.observation WHERE code = ANY(?) AND observed_at <= ? GROUP BY patient_id),\n");
    params.add(labCodes.toArray(String[]::new));
    params.add(indexDate);
    sql.append("sym AS (SELECT patient_id");
    for (int i = 0; i < symptomCodes.size(); i++) {
      sql.append(", bool_or(code = ?) AS s").append(i);
      params.add(symptomCodes.get(i));
    }
    sql.append(" FROM ehr.symptom WHERE code = ANY(?) AND observed_at <= ? GROUP BY patient_id),\n");
    params.add(symptomCodes.toArray(String[]::new));
    params.add(indexDate);
    List<LabelClass> classes = spec.label().classes();
    sql.append("dx AS (SELECT patient_id");
    for (int i = 0; i < classes.size(); i++) {
      LabelClass lc = classes.get(i);
      List<String> tests = new ArrayList<>();
      if (lc.orphaCode() != null) {
        tests.add("orpha_code = ?");
        params.add(lc.orphaCode());
      }
      if (lc.icd10() != null) {
        tests.add("starts_with(icd10, ?)");
        params.add(lc.icd10());
      }
      sql.append(", coalesce(bool_or(").append(String.join(" OR ", tests)).append("), false) AS c").append(i);
    }
    sql.append(" FROM ehr.diagnosis WHERE diagnosed_at <= ? GROUP BY patient_id)\n");
    params.add(indexDate);

    sql.append("INSERT INTO ehr.extract_row (extract_id, row_no, patient_id, mrn, birth_date, sex, zip, features,"
        + " label)\nSELECT ?, (row_number() OVER (ORDER BY p.id))::int, p.id, p.mrn, p.birth_date, p.sex, p.zip,"
        + " ARRAY[");
    params.add(extractId);
    int lab = 0;
    int sym = 0;
    for (int k = 0; k < defs.size(); k++) {
      FeatureDef f = defs.get(k);
      if (k > 0) {
        sql.append(", ");
      }
      if (f.isLab()) {
        sql.append("coalesce(lab.l").append(lab++).append(", 'NaN'::float8)");
      } else if (f.isSymptom()) {
        sql.append("CASE WHEN sym.s").append(sym++).append(" THEN 1 ELSE 0 END::float8");
      } else if ("sex".equals(f.field())) {
        sql.append("CASE p.sex::text");
        for (int l = 0; l < f.levels().size(); l++) {
          sql.append(" WHEN ?::text THEN ").append(l);
          params.add(f.levels().get(l));
        }
        sql.append(" ELSE 'NaN'::float8 END::float8");
      } else {
        // age: computed from birth_date during pseudonymisation, never here
        sql.append("'NaN'::float8");
      }
    }
    sql.append("]::float8[], CASE");
    for (int i = 0; i < classes.size(); i++) {
      sql.append(" WHEN dx.c").append(i).append(" THEN ?::text");
      params.add(classes.get(i).label());
    }
    sql.append(" ELSE ?::text END\nFROM ehr.patient p LEFT JOIN lab ON lab.patient_id = p.id"
        + " LEFT JOIN sym ON sym.patient_id = p.id LEFT JOIN dx ON dx.patient_id = p.id");
    params.add(spec.label().defaultLabel());
    return sql.toString();
  }
}
