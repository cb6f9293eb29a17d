package io.medpipe.privacy;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.FeatureSpec;
import java.sql.Array;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns an identified EHR extract into a pseudonymised dataset snapshot, then deletes the extract.
 *
 * <p>What leaves the PHI zone: a keyed pseudonym instead of the MRN, age at the index date (top-coded at 90)
 * instead of the birth date, sex and the clinical features. What does not: names, MRN, national id, birth date,
 * address, ZIP, phone, email — the extract's identifier columns are read here and nowhere else. One transaction:
 * either the snapshot exists and the extract is gone, or nothing changed.
 */
@Service
public class PseudonymizationService {

  private static final Logger LOG = LoggerFactory.getLogger(PseudonymizationService.class);

  private final JdbcTemplate jdbc;
  private final SnapshotStore snapshots;
  private final Pseudonymizer pseudonymizer;
  private final List<Feature> features;
  private final int ageColumn;
  private final int k;

  public PseudonymizationService(JdbcTemplate jdbc, SnapshotStore snapshots, PrivacyProperties privacy,
                                 FeatureSpec spec, @Value("${medpipe.privacy.k:5}") int k) {
    if (k < 1) {
      throw new IllegalArgumentException("medpipe.privacy.k must be at least 1, was " + k);
    }
    this.k = k;
    this.jdbc = jdbc;
    this.snapshots = snapshots;
    this.pseudonymizer = new Pseudonymizer(privacy.pseudonymKey());
    this.features = spec.features();
    this.ageColumn = features.stream().map(Feature::name).toList().indexOf("age");
  }

  @Transactional
  public Snapshot pseudonymize(UUID extractId, String processInstanceId) {
    List<Map<String, Object>> extract = jdbc.queryForList(
        "SELECT spec_hash, index_date, skipped_documents FROM ehr.extract WHERE id = ?", extractId);
    if (extract.isEmpty()) {
      throw new IllegalArgumentException("EHR extract " + extractId + " does not exist (already pseudonymised?)");
    }
    String specHash = (String) extract.get(0).get("spec_hash");
    LocalDate indexDate = ((java.sql.Date) extract.get(0).get("index_date")).toLocalDate();
    int skippedDocuments = ((Number) extract.get(0).get("skipped_documents")).intValue();
    List<SnapshotStore.Row> rows = new ArrayList<>();
    List<String> mrns = new ArrayList<>();
    List<KAnonymity.Quasi> quasi = new ArrayList<>();
    jdbc.query("SELECT mrn, birth_date, sex, features, label FROM ehr.extract_row WHERE extract_id = ?"
        + " ORDER BY row_no", rs -> {
          double[] x = values(rs.getArray("features"));
          if (x.length != features.size()) {
            throw new IllegalStateException(
                "extract row has " + x.length + " features, the spec has " + features.size());
          }
          double age = Pseudonymizer.age(rs.getDate("birth_date").toLocalDate(), indexDate);
          if (ageColumn >= 0) {
            x[ageColumn] = age;
          }
          String mrn = rs.getString("mrn");
          mrns.add(mrn);
          quasi.add(new KAnonymity.Quasi(age, rs.getString("sex")));
          rows.add(new SnapshotStore.Row(pseudonymizer.pseudonym(mrn), x, rs.getString("label")));
        }, extractId);
    if (rows.isEmpty()) {
      throw new IllegalStateException("EHR extract " + extractId + " has no rows: the cohort query selected nobody");
    }
    KAnonymity.Result kanon = KAnonymity.enforce(quasi, k);
    if (ageColumn >= 0) {
      for (int i = 0; i < rows.size(); i++) {
        double[] x = rows.get(i).features();
        switch (kanon.actions()[i]) {
          case GENERALISE -> x[ageColumn] = KAnonymity.generalisedAge(x[ageColumn]);
          case SUPPRESS -> x[ageColumn] = Double.NaN;
          default -> {}
        }
      }
    }
    List<SnapshotStore.Note> notes = scrubbedNotes(extractId, indexDate, rows);
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("indexDate", indexDate.toString());
    metadata.put("skippedDocuments", skippedDocuments);
    metadata.put("kAnonymity", kanon.report());
    metadata.put("pseudonymisation", Map.of("subject", "HMAC-SHA256(key, MRN), 128 bits",
        "ages", "top-coded at 90", "dates", "shifted per patient by a key-derived offset (1-182 days either way)",
        "freeText", "patient dictionary + patterns -> typed placeholders"));
    Snapshot snapshot = snapshots.create(features, rows, notes, metadata, specHash, processInstanceId);
    jdbc.update("DELETE FROM ehr.extract WHERE id = ?", extractId);
    LOG.info("snapshot {}: {} rows, {} notes scrubbed, k={} smallest class {} -> {}, {} generalised, {} suppressed",
        snapshot.id(), rows.size(), notes.size(), k, kanon.report().smallestClassBefore(),
        kanon.report().smallestClassAfter(), kanon.report().rowsGeneralised(), kanon.report().rowsSuppressed());
    return snapshot;
  }

  /** The notes of the extract's patients up to the index date: scrubbed with their own identifiers, dates shifted. */
  private List<SnapshotStore.Note> scrubbedNotes(UUID extractId, LocalDate indexDate, List<SnapshotStore.Row> rows) {
    List<SnapshotStore.Note> notes = new ArrayList<>();
    jdbc.query("""
        SELECT r.row_no, p.mrn, p.national_id, p.given_name, p.family_name, p.birth_date, p.address, p.zip, p.phone,
               p.email, n.written_at, n.body
        FROM ehr.extract_row r JOIN ehr.patient p ON p.id = r.patient_id JOIN ehr.note n ON n.patient_id = r.patient_id
        WHERE r.extract_id = ? AND n.written_at <= ?
        ORDER BY r.row_no, n.written_at, n.id""", rs -> {
      int rowNo = rs.getInt("row_no") - 1;
      String mrn = rs.getString("mrn");
      PatientIdentifiers ids = new PatientIdentifiers(mrn, rs.getString("national_id"), rs.getString("given_name"),
          rs.getString("family_name"), rs.getObject("birth_date", LocalDate.class), rs.getString("address"),
          rs.getString("zip"), rs.getString("phone"), rs.getString("email"));
      notes.add(new SnapshotStore.Note(rowNo, rows.get(rowNo).subjectRef(),
          pseudonymizer.shift(rs.getObject("written_at", LocalDate.class), mrn),
          TextScrubber.scrub(rs.getString("body"), ids)));
    }, extractId, indexDate);
    return notes;
  }

  private static double[] values(Array array) throws SQLException {
    Object[] values = (Object[]) array.getArray();
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] == null ? Double.NaN : ((Number) values[i]).doubleValue();
    }
    return out;
  }
}
