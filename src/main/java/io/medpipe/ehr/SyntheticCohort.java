package io.medpipe.ehr;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A seeded generator of a fake hospital population in schema ehr: identified patients (fake names, MRNs,
 * addresses) with encounters, labs, HPO-coded symptoms, diagnoses and one free-text note each.
 *
 * <p>The primary conditions are Fabry disease (ORPHA 324, E75.2), hypertrophic cardiomyopathy (I42.1) and chronic
 * kidney disease (N18.x); the rest are "none". Fabry shares kidney and heart signal with CKD and HCM, so a model
 * has to combine young age, the classic Fabry symptoms and the labs to separate them. Healthy people have
 * symptoms at low realistic rates, labs have noise, and each lab is missing (no observation row) for 10-30% of
 * patients. Every value derives from the seed and the patient's position, so a cohort is reproducible.
 *
 * <p>Rows are loaded with PostgreSQL COPY in one transaction.
 */
public final class SyntheticCohort {

  public static final String FABRY_ORPHA = "324";
  public static final String FABRY_ICD10 = "E75.2";
  public static final String HCM_ICD10 = "I42.1";

  /** Lab codes as written into ehr.observation. */
  public static final String CREATININE = "2160-0";
  public static final String EGFR = "33914-3";
  public static final String UACR = "9318-7";
  public static final String LVMI = "LVMI";
  public static final String HEMOGLOBIN = "718-7";
  public static final String CRP = "1988-5";

  private static final int CHUNK = 5_000;

  enum Disease { FABRY, HCM, CKD, NONE }

  /** What one generation wrote. */
  public record Counts(int patients, int encounters, int observations, int symptoms, int diagnoses, int notes) {
    Counts plus(Counts o) {
      return new Counts(patients + o.patients, encounters + o.encounters, observations + o.observations,
          symptoms + o.symptoms, diagnoses + o.diagnoses, notes + o.notes);
    }
  }

  private SyntheticCohort() {
  }

  /** Generates the cohort into the database in one transaction. */
  public static Counts generate(DataSource dataSource, CohortOptions options) {
    try (Connection c = dataSource.getConnection()) {
      return generate(c, options);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot generate synthetic cohort", e);
    }
  }

  /**
   * Generates the cohort over the connection. With auto-commit on, it runs (and commits) its own transaction;
   * with auto-commit off, the caller's transaction holds the rows.
   */
  public static Counts generate(Connection connection, CohortOptions options) throws SQLException {
    boolean ownTransaction = connection.getAutoCommit();
    if (ownTransaction) {
      connection.setAutoCommit(false);
    }
    try {
      Counts counts = load(connection, options);
      if (ownTransaction) {
        connection.commit();
      }
      return counts;
    } catch (SQLException | RuntimeException e) {
      if (ownTransaction) {
        connection.rollback();
      }
      throw e;
    } finally {
      if (ownTransaction) {
        connection.setAutoCommit(true);
      }
    }
  }

  private static Counts load(Connection connection, CohortOptions options) throws SQLException {
    CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
    try (Statement st = connection.createStatement()) {
      // ids are reserved from the sequences below; nobody else may draw from them meanwhile
      st.execute("LOCK TABLE ehr.patient, ehr.encounter IN SHARE ROW EXCLUSIVE MODE");
    }
    Disease[] diseases = assignDiseases(options);
    long mrnStep = mrnStep(options.seed());
    long mrnOffset = Math.floorMod(mix(options.seed() ^ 0x5DEECE66DL), 100_000_000L);
    Counts total = new Counts(0, 0, 0, 0, 0, 0);
    for (int from = 0; from < options.patients(); from += CHUNK) {
      int to = Math.min(options.patients(), from + CHUNK);
      List<PatientRecord> chunk = new ArrayList<>(to - from);
      int encounters = 0;
      for (int i = from; i < to; i++) {
        String mrn = String.format(Locale.ROOT, "MRN-%08d", Math.floorMod(mrnOffset + mrnStep * i, 100_000_000L));
        PatientRecord p = PatientRecord.generate(new SplittableRandom(mix(options.seed() * 0x9E3779B97F4A7C15L + i)),
            diseases[i], mrn, options.indexDate());
        chunk.add(p);
        encounters += p.encounterDates.size();
      }
      long patientBase = reserve(connection, "ehr.patient", chunk.size());
      long encounterBase = reserve(connection, "ehr.encounter", encounters);
      total = total.plus(copyChunk(copy, chunk, patientBase, encounterBase));
    }
    try (Statement st = connection.createStatement()) {
      // fresh statistics so the extraction query plans for the real table sizes
      st.execute("ANALYZE ehr.patient, ehr.encounter, ehr.observation, ehr.symptom, ehr.diagnosis, ehr.note");
    }
    return total;
  }

  /** Exact disease counts spread over positions by a seeded shuffle. */
  static Disease[] assignDiseases(CohortOptions options) {
    int n = options.patients();
    int[] counts = options.diseaseCounts();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(mix(options.seed() ^ 0xD1B54A32D192ED03L));
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    Disease[] out = new Disease[n];
    java.util.Arrays.fill(out, Disease.NONE);
    int k = 0;
    Disease[] kinds = {Disease.FABRY, Disease.HCM, Disease.CKD};
    for (int d = 0; d < kinds.length; d++) {
      for (int c = 0; c < counts[d] && k < n; c++) {
        out[order[k++]] = kinds[d];
      }
    }
    return out;
  }

  /** A multiplier coprime to 10^8, so position -> MRN is a permutation: MRNs are unique within a cohort. */
  private static long mrnStep(long seed) {
    long step = Math.floorMod(mix(seed), 100_000_000L) | 1;
    while (step % 5 == 0) {
      step += 2;
    }
    return step;
  }

  /** First id of a reserved block of {@code count} ids of the table's id sequence. */
  private static long reserve(Connection c, String table, int count) throws SQLException {
    if (count == 0) {
      return 0;
    }
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT nextval(pg_get_serial_sequence('" + table + "', 'id'))")) {
      rs.next();
      long base = rs.getLong(1);
      st.execute("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), " + (base + count - 1) + ")");
      return base;
    }
  }

  private static Counts copyChunk(CopyManager copy, List<PatientRecord> chunk, long patientBase, long encounterBase)
      throws SQLException {
    StringBuilder patients = new StringBuilder(chunk.size() * 180);
    StringBuilder encounters = new StringBuilder(chunk.size() * 60);
    StringBuilder observations = new StringBuilder(chunk.size() * 400);
    StringBuilder symptoms = new StringBuilder(chunk.size() * 80);
    StringBuilder diagnoses = new StringBuilder(chunk.size() * 40);
    StringBuilder notes = new StringBuilder(chunk.size() * 250);
    int nEnc = 0;
    int nObs = 0;
    int nSym = 0;
    int nDx = 0;
    long encId = encounterBase;
    for (int i = 0; i < chunk.size(); i++) {
      PatientRecord p = chunk.get(i);
      long pid = patientBase + i;
      row(patients, pid, p.mrn, p.nationalId, p.givenName, p.familyName, p.birthDate, p.sex, p.address, p.zip,
          p.phone, p.email);
      long firstEnc = encId;
      for (int e = 0; e < p.encounterDates.size(); e++) {
        row(encounters, encId++, pid, p.encounterDates.get(e), p.encounterKinds.get(e));
      }
      nEnc += p.encounterDates.size();
      for (PatientRecord.Lab lab : p.labs) {
        row(observations, pid, firstEnc + lab.encounter(), lab.code(), lab.value(), lab.unit(),
            p.encounterDates.get(lab.encounter()));
      }
      nObs += p.labs.size();
      for (PatientRecord.Coded s : p.symptoms) {
        row(symptoms, pid, firstEnc + s.encounter(), s.code(), p.encounterDates.get(s.encounter()));
      }
      nSym += p.symptoms.size();
      for (PatientRecord.Dx d : p.diagnoses) {
        row(diagnoses, pid, firstEnc + d.encounter(), d.icd10(), d.orpha(), d.label(),
            p.encounterDates.get(d.encounter()));
      }
      nDx += p.diagnoses.size();
      int last = p.encounterDates.size() - 1;
      row(notes, pid, firstEnc + last, p.encounterDates.get(last), p.note);
    }
    copy(copy, "COPY ehr.patient (id, mrn, national_id, given_name, family_name, birth_date, sex, address, zip,"
        + " phone, email) FROM STDIN", patients);
    copy(copy, "COPY ehr.encounter (id, patient_id, encounter_date, kind) FROM STDIN", encounters);
    copy(copy, "COPY ehr.observation (patient_id, encounter_id, code, value, unit, observed_at) FROM STDIN",
        observations);
    copy(copy, "COPY ehr.symptom (patient_id, encounter_id, code, observed_at) FROM STDIN", symptoms);
    copy(copy, "COPY ehr.diagnosis (patient_id, encounter_id, icd10, orpha_code, label, diagnosed_at) FROM STDIN",
        diagnoses);
    copy(copy, "COPY ehr.note (patient_id, encounter_id, written_at, body) FROM STDIN", notes);
    return new Counts(chunk.size(), nEnc, nObs, nSym, nDx, chunk.size());
  }

  private static void copy(CopyManager copy, String sql, StringBuilder rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try {
      copy.copyIn(sql, new ByteArrayInputStream(rows.toString().getBytes(StandardCharsets.UTF_8)), 1 << 16);
    } catch (IOException e) {
      throw new SQLException("COPY failed", e);
    }
  }

  /** One row of COPY text format: tab-separated, \N for null, backslash escapes. */
  private static void row(StringBuilder sb, Object... values) {
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append('\t');
      }
      Object v = values[i];
      if (v == null) {
        sb.append("\\N");
      } else if (v instanceof String s) {
        for (int k = 0; k < s.length(); k++) {
          char ch = s.charAt(k);
          switch (ch) {
            case '\\' -> sb.append("\\\\");
            case '\t' -> sb.append("\\t");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            default -> sb.append(ch);
          }
        }
      } else {
        sb.append(v);
      }
    }
    sb.append('\n');
  }

  /** SplitMix64 finaliser: spreads nearby seeds over the whole long range. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** CKD-EPI 2021 (race-free) eGFR in mL/min/1.73m2 from serum creatinine in mg/dL. */
  static double ckdEpi2021(double creatinine, double age, boolean female) {
    double kappa = female ? 0.7 : 0.9;
    double alpha = female ? -0.241 : -0.302;
    double r = creatinine / kappa;
    return 142 * Math.pow(Math.min(r, 1), alpha) * Math.pow(Math.max(r, 1), -1.200) * Math.pow(0.9938, age)
        * (female ? 1.012 : 1);
  }

  /** The creatinine that gives this eGFR (bisection; eGFR falls as creatinine rises). */
  static double creatinineFor(double egfr, double age, boolean female) {
    double lo = 0.1;
    double hi = 25;
    for (int i = 0; i < 40; i++) {
      double mid = (lo + hi) / 2;
      if (ckdEpi2021(mid, age, female) > egfr) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }
}
