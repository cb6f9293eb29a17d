package io.medpipe.privacy;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.FeatureSpec;
import io.medpipe.system.MedpipeProperties;
import java.sql.Array;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

  private final JdbcTemplate jdbc;
  private final SnapshotStore snapshots;
  private final Pseudonymizer pseudonymizer;
  private final List<Feature> features;
  private final int ageColumn;

  public PseudonymizationService(JdbcTemplate jdbc, SnapshotStore snapshots, MedpipeProperties properties,
                                 FeatureSpec spec) {
    this.jdbc = jdbc;
    this.snapshots = snapshots;
    this.pseudonymizer = new Pseudonymizer(properties.privacy().pseudonymKey());
    this.features = spec.features();
    this.ageColumn = features.stream().map(Feature::name).toList().indexOf("age");
  }

  @Transactional
  public Snapshot pseudonymize(UUID extractId, String processInstanceId) {
    List<Map<String, Object>> extract = jdbc.queryForList(
        "SELECT spec_hash, index_date FROM ehr.extract WHERE id = ?", extractId);
    if (extract.isEmpty()) {
      throw new IllegalArgumentException("EHR extract " + extractId + " does not exist (already pseudonymised?)");
    }
    String specHash = (String) extract.get(0).get("spec_hash");
    LocalDate indexDate = ((java.sql.Date) extract.get(0).get("index_date")).toLocalDate();
    List<SnapshotStore.Row> rows = new ArrayList<>();
    jdbc.query("SELECT mrn, birth_date, features, label FROM ehr.extract_row WHERE extract_id = ? ORDER BY row_no",
        rs -> {
          double[] x = values(rs.getArray("features"));
          if (x.length != features.size()) {
            throw new IllegalStateException("extract row has " + x.length + " features, the spec has " + features.size());
          }
          if (ageColumn >= 0) {
            x[ageColumn] = Pseudonymizer.age(rs.getDate("birth_date").toLocalDate(), indexDate);
          }
          rows.add(new SnapshotStore.Row(pseudonymizer.pseudonym(rs.getString("mrn")), x, rs.getString("label")));
        }, extractId);
    if (rows.isEmpty()) {
      throw new IllegalStateException("EHR extract " + extractId + " has no rows: the cohort query selected nobody");
    }
    Snapshot snapshot = snapshots.create(features, rows, specHash, processInstanceId);
    jdbc.update("DELETE FROM ehr.extract WHERE id = ?", extractId);
    return snapshot;
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
