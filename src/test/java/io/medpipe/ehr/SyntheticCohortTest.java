package io.medpipe.ehr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SyntheticCohortTest {

  static final CohortOptions OPTIONS = CohortOptions.of(3000, 7);
  static DataSource db;
  static SyntheticCohort.Counts counts;

  @BeforeAll
  static void generate() {
    db = TestDatabase.freshDatabase();
    counts = SyntheticCohort.generate(db, OPTIONS);
  }

  @Test
  void sameSeedGivesTheSameCohortDownToTheLastCharacter() throws Exception {
    DataSource other = TestDatabase.freshDatabase();
    assertThat(SyntheticCohort.generate(other, OPTIONS)).isEqualTo(counts);
    assertThat(checksum(other)).isEqualTo(checksum(db));

    DataSource differentSeed = TestDatabase.freshDatabase();
    SyntheticCohort.generate(differentSeed, CohortOptions.of(3000, 8));
    assertThat(checksum(differentSeed)).isNotEqualTo(checksum(db));
  }

  @Test
  void countsMatchTheRowsWritten() throws SQLException {
    assertThat(counts.patients()).isEqualTo(3000);
    assertThat(count("SELECT count(*) FROM ehr.patient")).isEqualTo(3000);
    assertThat(count("SELECT count(*) FROM ehr.encounter")).isEqualTo(counts.encounters()).isBetween(3000, 6000);
    assertThat(count("SELECT count(*) FROM ehr.observation")).isEqualTo(counts.observations());
    assertThat(count("SELECT count(*) FROM ehr.symptom")).isEqualTo(counts.symptoms());
    assertThat(count("SELECT count(*) FROM ehr.diagnosis")).isEqualTo(counts.diagnoses());
    assertThat(count("SELECT count(*) FROM ehr.note")).isEqualTo(3000);
    assertThat(count("SELECT count(DISTINCT patient_id) FROM ehr.note")).isEqualTo(3000);
    assertThat(count("SELECT count(DISTINCT mrn) FROM ehr.patient")).isEqualTo(3000);
  }

  @Test
  void primaryConditionsHaveTheRequestedPrevalence() throws SQLException {
    // exact counts by construction: 1% Fabry, 5% HCM, 8% CKD of 3000
    assertThat(count("SELECT count(DISTINCT patient_id) FROM ehr.diagnosis WHERE orpha_code = '324'")).isEqualTo(30);
    // HCM and CKD codes also appear as earlier diagnoses of some Fabry patients and CKD in some HCM patients
    int hcm = count("SELECT count(DISTINCT patient_id) FROM ehr.diagnosis WHERE icd10 = 'I42.1'");
    int ckd = count("SELECT count(DISTINCT patient_id) FROM ehr.diagnosis WHERE icd10 LIKE 'N18%'");
    assertThat(hcm).isBetween(150, 150 + 30);
    assertThat(ckd).isBetween(240, 240 + 30 + 150);
  }

  @Test
  void everyLabIsMissingForTenToThirtyPercentOfPatients() throws SQLException {
    for (String code : new String[] {"2160-0", "33914-3", "9318-7", "LVMI", "718-7", "1988-5"}) {
      double measured = count("SELECT count(DISTINCT patient_id) FROM ehr.observation WHERE code = '" + code + "'")
          / 3000.0;
      assertThat(1 - measured).as("missing share of " + code).isBetween(0.08, 0.33);
    }
  }

  @Test
  void symptomsOccurAtLowRatesInPeopleWithoutTheConditions() throws SQLException {
    Map<String, Double> rates = symptomRates("NOT EXISTS (SELECT 1 FROM ehr.diagnosis d WHERE d.patient_id = p.id"
        + " AND (d.orpha_code IS NOT NULL OR d.icd10 LIKE 'I42%' OR d.icd10 LIKE 'N18%'))");
    assertThat(rates.get("HP:0001014")).as("angiokeratoma").isLessThan(0.02);
    assertThat(rates.get("HP:0001315")).as("acroparesthesia").isBetween(0.005, 0.05);
    assertThat(rates.get("HP:0012378")).as("fatigue").isBetween(0.08, 0.25);
    Map<String, Double> fabry = symptomRates("EXISTS (SELECT 1 FROM ehr.diagnosis d WHERE d.patient_id = p.id"
        + " AND d.orpha_code = '324')");
    assertThat(fabry.get("HP:0001315")).as("acroparesthesia in Fabry").isGreaterThan(0.3);
  }

  @Test
  void fabryPatientsAreYoungerThanHcmAndCkdPatients() throws SQLException {
    double fabry = avgAge("orpha_code = '324'");
    double hcm = avgAge("icd10 = 'I42.1' AND NOT EXISTS (SELECT 1 FROM ehr.diagnosis f WHERE f.patient_id ="
        + " d.patient_id AND f.orpha_code = '324')");
    double ckd = avgAge("icd10 LIKE 'N18%' AND NOT EXISTS (SELECT 1 FROM ehr.diagnosis f WHERE f.patient_id ="
        + " d.patient_id AND f.orpha_code IS NOT NULL)");
    assertThat(fabry).isLessThan(hcm - 10).isLessThan(ckd - 15);
  }

  @Test
  void everyNoteNegatesSomethingAndIdentitiesLookReal() throws SQLException {
    assertThat(count("SELECT count(*) FROM ehr.note WHERE body ~ '(Denies|No|Negative for|Without) '")).isEqualTo(3000);
    assertThat(count("SELECT count(*) FROM ehr.note WHERE body LIKE '%Reports %'")).isGreaterThan(600);
    assertThat(count("SELECT count(*) FROM ehr.patient WHERE mrn ~ '^MRN-[0-9]{8}$' AND zip ~ '^[0-9]{5}$'"
        + " AND national_id ~ '^9[0-9]{2}-[0-9]{2}-[0-9]{4}$' AND email LIKE '%@example.%'"
        + " AND phone LIKE '+1 555-%'")).isEqualTo(3000);
    assertThat(count("SELECT count(*) FROM ehr.patient WHERE birth_date > DATE '2025-01-01'"
        + " OR birth_date < DATE '1925-01-01'")).isZero();
    assertThat(count("SELECT count(*) FROM ehr.encounter WHERE encounter_date > DATE '2025-01-01'")).isZero();
    assertThat(count("SELECT count(*) FROM ehr.patient WHERE sex = 'M'") / 3000.0).isCloseTo(0.49, within(0.04));
  }

  static int count(String sql) throws SQLException {
    return count(db, sql);
  }

  static int count(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static double avgAge(String diagnosisCondition) throws SQLException {
    try (Connection c = db.getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT avg(extract(year FROM age(DATE '2025-01-01', p.birth_date)))"
             + " FROM ehr.patient p WHERE p.id IN (SELECT d.patient_id FROM ehr.diagnosis d WHERE "
             + diagnosisCondition + ")")) {
      rs.next();
      return rs.getDouble(1);
    }
  }

  private static Map<String, Double> symptomRates(String patientCondition) throws SQLException {
    Map<String, Double> out = new LinkedHashMap<>();
    String sql = "SELECT s.code, count(DISTINCT s.patient_id)::float8 / (SELECT count(*) FROM ehr.patient p WHERE "
        + patientCondition + ") FROM ehr.symptom s JOIN ehr.patient p ON p.id = s.patient_id WHERE "
        + patientCondition + " GROUP BY s.code";
    try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getDouble(2));
      }
    }
    return out;
  }

  /** SHA-256 over every generated table in id order (created_at left out: it is the load time). */
  static String checksum(DataSource ds) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    String[] dumps = {
        "SELECT id, mrn, national_id, given_name, family_name, birth_date, sex, address, zip, phone, email"
            + " FROM ehr.patient ORDER BY id",
        "SELECT id, patient_id, encounter_date, kind FROM ehr.encounter ORDER BY id",
        "SELECT id, patient_id, encounter_id, code, value, unit, observed_at FROM ehr.observation ORDER BY id",
        "SELECT id, patient_id, encounter_id, code, observed_at FROM ehr.symptom ORDER BY id",
        "SELECT id, patient_id, encounter_id, icd10, orpha_code, label, diagnosed_at FROM ehr.diagnosis ORDER BY id",
        "SELECT id, patient_id, encounter_id, written_at, body FROM ehr.note ORDER BY id"};
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      for (String sql : dumps) {
        try (ResultSet rs = st.executeQuery(sql)) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= n; i++) {
              row.append(rs.getString(i)).append('|');
            }
            md.update(row.append('\n').toString().getBytes(StandardCharsets.UTF_8));
          }
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static LocalDate index() {
    return OPTIONS.indexDate();
  }
}
