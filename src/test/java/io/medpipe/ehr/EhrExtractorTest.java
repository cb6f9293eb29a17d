package io.medpipe.ehr;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.ehr.EhrExtractor.ExtractRow;
import io.medpipe.ehr.EhrExtractor.ExtractSummary;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Extraction semantics on a hand-made EHR of four patients whose every expected value is known. */
class EhrExtractorTest {

  static final LocalDate INDEX = LocalDate.of(2024, 6, 30);
  static DataSource db;
  static FeatureSpec spec;
  static EhrExtractor extractor;

  @BeforeAll
  static void fixture() throws SQLException {
    db = TestDatabase.freshDatabase();
    spec = FeatureSpecTest.shipped();
    extractor = new EhrExtractor(db);
    try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
      // ids are given in reverse insert order on purpose: rows must follow patient id, not insertion
      st.execute("""
          INSERT INTO ehr.patient (id, mrn, given_name, family_name, birth_date, sex, zip) VALUES
            (30, 'MRN-00000030', 'Cara', 'Three', DATE '1950-03-03', 'F', '30303'),
            (20, 'MRN-00000020', 'Ben', 'Two', DATE '1980-02-02', 'M', '20202'),
            (10, 'MRN-00000010', 'Ada', 'One', DATE '1990-01-01', 'F', '10101'),
            (40, 'MRN-00000040', 'Dan', 'Four', DATE '1970-04-04', 'M', NULL);
          INSERT INTO ehr.observation (patient_id, code, value, unit, observed_at) VALUES
            -- patient 10: creatinine three times; the one after the index date must be ignored
            (10, '2160-0', 0.8, 'mg/dL', DATE '2023-01-10'),
            (10, '2160-0', 1.1, 'mg/dL', DATE '2024-06-30'),
            (10, '2160-0', 9.9, 'mg/dL', DATE '2024-07-01'),
            (10, '33914-3', 95, 'mL/min/1.73m2', DATE '2024-06-30'),
            -- patient 20: two lvmi values on the same day: the later-inserted wins
            (20, 'LVMI', 120, 'g/m2', DATE '2024-01-01'),
            (20, 'LVMI', 125, 'g/m2', DATE '2024-01-01'),
            (20, '9318-7', 300, 'mg/g', DATE '2020-05-05'),
            -- patient 30: only a lab after the index date and one the spec does not know
            (30, '718-7', 12.0, 'g/dL', DATE '2024-12-01'),
            (30, '2345-7', 99, 'mg/dL', DATE '2024-01-01');
          INSERT INTO ehr.symptom (patient_id, code, observed_at) VALUES
            (10, 'HP:0001014', DATE '2024-01-01'),
            (10, 'HP:0001014', DATE '2024-02-01'),
            (20, 'HP:0001962', DATE '2024-01-01'),
            (20, 'HP:0000360', DATE '2024-08-01'),
            (30, 'HP:9999999', DATE '2024-01-01');
          INSERT INTO ehr.diagnosis (patient_id, icd10, orpha_code, label, diagnosed_at) VALUES
            -- patient 10: CKD, HCM and Fabry: fabry comes first in the spec
            (10, 'N18.3', NULL, 'Chronic kidney disease, stage 3', DATE '2022-01-01'),
            (10, 'I42.1', NULL, 'Obstructive hypertrophic cardiomyopathy', DATE '2023-01-01'),
            (10, 'E75.2', '324', 'Fabry disease', DATE '2024-06-01'),
            -- patient 20: HCM beats CKD; I42.2 is not the spec's I42.1
            (20, 'N18.4', NULL, 'Chronic kidney disease, stage 4', DATE '2024-01-01'),
            (20, 'I42.1', NULL, 'Obstructive hypertrophic cardiomyopathy', DATE '2024-02-01'),
            -- patient 30: a Fabry diagnosis only after the index date, and unrelated codes before
            (30, 'E75.2', '324', 'Fabry disease', DATE '2024-09-01'),
            (30, 'I42.2', NULL, 'Other hypertrophic cardiomyopathy', DATE '2024-01-01'),
            (30, 'I10', NULL, 'Essential hypertension', DATE '2024-01-01'),
            -- patient 40: CKD by ICD-10 prefix
            (40, 'N18.5', NULL, 'Chronic kidney disease, stage 5', DATE '2021-01-01');
          """);
    }
  }

  @Test
  void readsTheLatestLabAtOrBeforeTheIndexDateAndNaNWhenThereIsNone() {
    List<ExtractRow> rows = extractor.rows(extractor.extract(spec, INDEX, null).extractId());
    ExtractRow p10 = rows.get(0);
    assertThat(p10.patientId()).isEqualTo(10);
    assertThat(value(p10, "creatinine")).isEqualTo(1.1);
    assertThat(value(p10, "egfr")).isEqualTo(95.0);
    assertThat(value(p10, "lvmi")).isNaN();
    ExtractRow p20 = rows.get(1);
    assertThat(value(p20, "lvmi")).isEqualTo(125.0);
    assertThat(value(p20, "uacr")).isEqualTo(300.0);
    assertThat(value(p20, "creatinine")).isNaN();
    ExtractRow p30 = rows.get(2);
    assertThat(value(p30, "hemoglobin")).as("measured only after the index date").isNaN();
    assertThat(p30.features()).as("no lab of patient 30 is known at the index date")
        .satisfies(f -> assertThat(f[spec.indexOf("creatinine")]).isNaN());
  }

  @Test
  void aLaterIndexDateSeesTheLaterFacts() {
    ExtractSummary summary = extractor.extract(spec, LocalDate.of(2025, 1, 1), null);
    List<ExtractRow> rows = extractor.rows(summary.extractId());
    assertThat(value(rows.get(0), "creatinine")).isEqualTo(9.9);
    assertThat(value(rows.get(2), "hemoglobin")).isEqualTo(12.0);
    assertThat(value(rows.get(1), "tinnitus")).isEqualTo(1.0);
    assertThat(rows.get(2).label()).isEqualTo("fabry");
  }

  @Test
  void symptomsAreOneWhenRecordedAndZeroOtherwise() {
    List<ExtractRow> rows = extractor.rows(extractor.extract(spec, INDEX, null).extractId());
    assertThat(value(rows.get(0), "angiokeratoma")).isEqualTo(1.0);
    assertThat(value(rows.get(0), "palpitations")).isEqualTo(0.0);
    assertThat(value(rows.get(1), "palpitations")).isEqualTo(1.0);
    assertThat(value(rows.get(1), "tinnitus")).as("recorded after the index date").isEqualTo(0.0);
    for (int k = spec.indexOf("acroparesthesia"); k < spec.featureDefs().size(); k++) {
      assertThat(rows.get(2).features()[k]).isEqualTo(0.0);
      assertThat(rows.get(3).features()[k]).isEqualTo(0.0);
    }
  }

  @Test
  void labelIsTheFirstMatchingClassOfTheSpec() {
    ExtractSummary summary = extractor.extract(spec, INDEX, "proc-1");
    assertThat(extractor.rows(summary.extractId())).extracting(ExtractRow::label)
        .containsExactly("fabry", "hcm", "none", "ckd");
    assertThat(summary.classCounts()).containsExactly(java.util.Map.entry("fabry", 1), java.util.Map.entry("hcm", 1),
        java.util.Map.entry("ckd", 1), java.util.Map.entry("none", 1));
  }

  @Test
  void rowsCarryIdentifiersAndDemographicsButNoAge() {
    ExtractSummary summary = extractor.extract(spec, INDEX, "proc-2");
    List<ExtractRow> rows = extractor.rows(summary.extractId());
    assertThat(rows).extracting(ExtractRow::rowNo).containsExactly(1, 2, 3, 4);
    assertThat(rows).extracting(ExtractRow::patientId).containsExactly(10L, 20L, 30L, 40L);
    assertThat(rows).extracting(ExtractRow::mrn).containsExactly("MRN-00000010", "MRN-00000020", "MRN-00000030",
        "MRN-00000040");
    assertThat(rows.get(0).birthDate()).isEqualTo(LocalDate.of(1990, 1, 1));
    assertThat(rows.get(3).zip()).isNull();
    for (ExtractRow row : rows) {
      assertThat(row.features()).hasSize(19);
      assertThat(value(row, "age")).isNaN();
    }
    assertThat(rows).extracting(r -> value(r, "sex")).containsExactly(0.0, 1.0, 0.0, 1.0);
  }

  @Test
  void recordsTheExtractWithSpecHashIndexDateAndProcess() throws SQLException {
    ExtractSummary summary = extractor.extract(spec, INDEX, "proc-3");
    assertThat(summary.rows()).isEqualTo(4);
    assertThat(summary.specHash()).isEqualTo(spec.sha256());
    try (Connection c = db.getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT spec_hash, index_date, row_count, process_instance_id"
             + " FROM ehr.extract WHERE id = '" + summary.extractId() + "'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(spec.sha256());
      assertThat(rs.getObject(2, LocalDate.class)).isEqualTo(INDEX);
      assertThat(rs.getInt(3)).isEqualTo(4);
      assertThat(rs.getString(4)).isEqualTo("proc-3");
    }
  }

  @Test
  void fixedIndexDateRuleOfTheSpecIsUsedWhenNoDateIsGiven() {
    // the shipped spec fixes 2025-01-01: the Fabry diagnosis of patient 30 (2024-09-01) counts then
    ExtractSummary summary = extractor.extract(spec, null);
    assertThat(summary.classCounts().get("fabry")).isEqualTo(2);
  }

  static double value(ExtractRow row, String feature) {
    int k = spec.indexOf(feature);
    assertThat(k).as(feature).isNotNegative();
    return row.features()[k];
  }
}
