package io.medpipe.ehr;

import io.medpipe.dataset.TabularFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a tabular export (CSV or ARFF) into the EHR schema: each row becomes a patient with one encounter at the
 * mapping's index date, its labs as observations, its positive symptoms as coded symptoms, its label as a
 * diagnosis and its free text as a note. Every row is checked before anything is written, and everything is
 * written in one transaction: a file is imported completely or not at all. Messages name file, line and column,
 * never a cell's value.
 */
public final class EhrImporter {

  private static final Logger LOG = LoggerFactory.getLogger(EhrImporter.class);
  private static final List<String> PRESENT = List.of("yes", "true", "1", "y", "present");
  private static final List<String> ABSENT = List.of("no", "false", "0", "n", "absent");
  private static final int MAX_PROBLEMS = 20;

  private final DataSource dataSource;

  public EhrImporter(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** What an import wrote. */
  public record Result(long batchId, int patients, int observations, int symptoms, int diagnoses, int notes) {}

  record Lab(String code, double value, String unit) {}

  record Patient(int line, LocalDate date, String mrn, String nationalId, String given, String family,
                 LocalDate birthDate,
                 String sex, String address, String zip, String phone, String email, List<Lab> labs,
                 List<String> symptoms, String diagnosis, List<String> notes) {}

  /** Validates every row of the file against the mapping, then writes them all in one transaction. */
  public Result importFile(TabularFile file, ImportMapping mapping, byte[] fileBytes) {
    List<Patient> patients = convert(file, mapping);
    String sha = sha256(fileBytes);
    try (Connection c = dataSource.getConnection()) {
      Result r = Transactions.inTransaction(c, tx -> write(tx, file, sha, patients));
      LOG.info("imported {} ({}): {} patients, {} observations, {} symptoms, {} diagnoses, {} notes as batch {}",
          file.file(), file.format(), r.patients(), r.observations(), r.symptoms(), r.diagnoses(), r.notes(),
          r.batchId());
      return r;
    } catch (SQLException e) {
      // the SQL state, not the message: a constraint message can quote a value
      throw new ImportException(file.file(), List.of(file.file() + ": the database refused the import (SQL state "
          + e.getSQLState() + ")"));
    }
  }

  /** Checks every cell; the exception lists up to 20 problems with file, line and column. */
  static List<Patient> convert(TabularFile file, ImportMapping mapping) {
    List<String> problems = new ArrayList<>();
    String f = file.file();
    for (String col : file.columns()) {
      if (!mapping.columns().containsKey(col)) {
        problems.add(f + ":1: column " + col + " is not in the mapping (map it, or map it as \"ignore\")");
      }
    }
    for (String col : mapping.columns().keySet()) {
      if (!file.columns().contains(col)) {
        problems.add(f + ": the mapping names column " + col + " but the file has no such column");
      }
    }
    if (!problems.isEmpty()) {
      throw new ImportException(f, problems);
    }
    if (file.rows().isEmpty()) {
      throw new ImportException(f, List.of(f + ": no data rows"));
    }
    List<Patient> out = new ArrayList<>(file.rows().size());
    Set<String> mrns = new HashSet<>();
    for (TabularFile.Row row : file.rows()) {
      String mrn = null;
      String nationalId = null;
      String given = "";
      String family = "";
      LocalDate birth = null;
      String sex = null;
      String address = null;
      String zip = null;
      String phone = null;
      String email = null;
      String diagnosis = null;
      boolean labelSeen = false;
      List<Lab> labs = new ArrayList<>();
      List<String> symptoms = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      for (int i = 0; i < file.columns().size(); i++) {
        String col = file.columns().get(i);
        ImportMapping.Column m = mapping.columns().get(col);
        String raw = row.cells()[i];
        String v = raw == null ? null : raw.trim();
        if (v != null && (v.isEmpty() || v.equals("?"))) {
          v = null;
        }
        String where = f + ":" + row.line() + ": column " + (i + 1) + " (" + col + ")";
        switch (m.as()) {
          case "age" -> {
            Double age = number(v, where, problems, true);
            if (age != null) {
              if (age < 0 || age > 130) {
                add(problems, where + ": age must be within 0..130");
              } else {
                birth = mapping.indexDate().minusYears((long) Math.floor(age));
              }
            }
          }
          case "birth_date" -> {
            if (v == null) {
              add(problems, where + ": birth date is missing");
            } else {
              try {
                birth = LocalDate.parse(v);
              } catch (DateTimeParseException e) {
                add(problems, where + ": not an ISO date (yyyy-mm-dd)");
              }
            }
          }
          case "sex" -> {
            sex = sex(v, m, where, problems);
          }
          case "lab" -> {
            if (v != null) {
              if (m.levels() != null && !m.levels().isEmpty()) {
                int level = m.levels().indexOf(v);
                if (level < 0) {
                  add(problems, where + ": not one of the mapped levels " + m.levels());
                } else {
                  labs.add(new Lab(m.code(), level, m.unit()));
                }
              } else {
                Double x = number(v, where, problems, false);
                if (x != null) {
                  labs.add(new Lab(m.code(), x, m.unit()));
                }
              }
            }
          }
          case "symptom" -> {
            if (v != null) {
              String lv = v.toLowerCase(Locale.ROOT);
              if ((m.present() == null ? PRESENT : m.present()).contains(lv)) {
                symptoms.add(m.code());
              } else if (!(m.absent() == null ? ABSENT : m.absent()).contains(lv)) {
                add(problems, where + ": neither a present nor an absent value of the symptom");
              }
            }
          }
          case "label" -> {
            if (v == null) {
              add(problems, where + ": the label is missing");
            } else if (!m.values().containsKey(v)) {
              add(problems, where + ": label value not in the mapping's values " + m.values().keySet());
            } else {
              labelSeen = true;
              diagnosis = m.values().get(v);
            }
          }
          case "note" -> {
            if (v != null) {
              notes.add(raw);
            }
          }
          case "mrn" -> {
            if (v == null) {
              add(problems, where + ": the MRN is missing");
            } else if (!mrns.add(v)) {
              add(problems, where + ": the same MRN is on an earlier line");
            }
            mrn = v;
          }
          case "national_id" -> nationalId = v;
          case "given_name" -> given = v == null ? "" : v;
          case "family_name" -> family = v == null ? "" : v;
          case "address" -> address = v;
          case "zip" -> zip = v;
          case "phone" -> phone = v;
          case "email" -> email = v;
          default -> {}
        }
      }
      if (!labelSeen) {
        continue;
      }
      if (mrn == null) {
        mrn = String.format(Locale.ROOT, "%s-%06d", mapping.idPrefixOrDefault(), row.line());
      }
      if (birth != null && sex != null) {
        out.add(new Patient(row.line(), mapping.indexDate(), mrn, nationalId, given, family, birth, sex, address, zip,
            phone, email,
            labs, symptoms, diagnosis, notes));
      }
    }
    if (!problems.isEmpty()) {
      throw new ImportException(f, problems);
    }
    return out;
  }

  private static String sex(String v, ImportMapping.Column m, String where, List<String> problems) {
    if (v == null) {
      add(problems, where + ": sex is missing");
      return null;
    }
    String s;
    if (m.values() != null && !m.values().isEmpty()) {
      s = m.values().get(v);
    } else {
      s = switch (v.toLowerCase(Locale.ROOT)) {
        case "m", "male" -> "M";
        case "f", "female" -> "F";
        default -> null;
      };
    }
    if (!"M".equals(s) && !"F".equals(s)) {
      add(problems, where + ": sex must map to M or F");
      return null;
    }
    return s;
  }

  private static Double number(String v, String where, List<String> problems, boolean required) {
    if (v == null) {
      if (required) {
        add(problems, where + ": value is missing");
      }
      return null;
    }
    try {
      double x = Double.parseDouble(v);
      if (!Double.isFinite(x)) {
        add(problems, where + ": not a finite number");
        return null;
      }
      return x;
    } catch (NumberFormatException e) {
      add(problems, where + ": not a number");
      return null;
    }
  }

  private static Result write(Connection c, TabularFile file, String sha, List<Patient> patients) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM ehr.import_batch WHERE file_sha256 = ?")) {
      ps.setString(1, sha);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new ImportException(file.file(), List.of(file.file() + ": this file was already imported as batch "
              + rs.getLong(1)));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT mrn FROM ehr.patient WHERE mrn = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("text", patients.stream().map(Patient::mrn).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          String taken = rs.getString(1);
          int line = patients.stream().filter(p -> p.mrn().equals(taken)).findFirst().orElseThrow().line();
          throw new ImportException(file.file(), List.of(file.file() + ":" + line
              + ": a patient with this MRN is already in the EHR"));
        }
      }
    }
    long batch;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ehr.import_batch (file_name, file_sha256, format,"
        + " patients) VALUES (?, ?, ?, ?) RETURNING id")) {
      ps.setString(1, file.file());
      ps.setString(2, sha);
      ps.setString(3, file.format());
      ps.setInt(4, patients.size());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        batch = rs.getLong(1);
      }
    }
    int obs = 0;
    int sym = 0;
    int dx = 0;
    int notes = 0;
    try (PreparedStatement pat = c.prepareStatement("INSERT INTO ehr.patient (mrn, national_id, given_name,"
        + " family_name, birth_date, sex, address, zip, phone, email) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
         PreparedStatement enc = c.prepareStatement("INSERT INTO ehr.encounter (patient_id, encounter_date, kind)"
             + " VALUES (?, ?, 'outpatient') RETURNING id");
         PreparedStatement ob = c.prepareStatement("INSERT INTO ehr.observation (patient_id, encounter_id, code,"
             + " value, unit, observed_at) VALUES (?, ?, ?, ?, ?, ?)");
         PreparedStatement sy = c.prepareStatement("INSERT INTO ehr.symptom (patient_id, encounter_id, code,"
             + " observed_at) VALUES (?, ?, ?, ?)");
         PreparedStatement di = c.prepareStatement("INSERT INTO ehr.diagnosis (patient_id, encounter_id, icd10,"
             + " label, diagnosed_at) VALUES (?, ?, ?, ?, ?)");
         PreparedStatement no = c.prepareStatement("INSERT INTO ehr.note (patient_id, encounter_id, written_at, body)"
             + " VALUES (?, ?, ?, ?)")) {
      for (Patient p : patients) {
        pat.setString(1, p.mrn());
        pat.setString(2, p.nationalId());
        pat.setString(3, p.given());
        pat.setString(4, p.family());
        pat.setObject(5, p.birthDate());
        pat.setString(6, p.sex());
        pat.setString(7, p.address());
        pat.setString(8, p.zip());
        pat.setString(9, p.phone());
        pat.setString(10, p.email());
        long pid;
        try (ResultSet rs = pat.executeQuery()) {
          rs.next();
          pid = rs.getLong(1);
        }
        LocalDate date = p.birthDate().isAfter(p.date()) ? p.birthDate() : p.date();
        enc.setLong(1, pid);
        enc.setObject(2, date);
        long eid;
        try (ResultSet rs = enc.executeQuery()) {
          rs.next();
          eid = rs.getLong(1);
        }
        for (Lab lab : p.labs()) {
          ob.setLong(1, pid);
          ob.setLong(2, eid);
          ob.setString(3, lab.code());
          ob.setDouble(4, lab.value());
          ob.setString(5, lab.unit());
          ob.setObject(6, date);
          ob.addBatch();
          obs++;
        }
        for (String code : p.symptoms()) {
          sy.setLong(1, pid);
          sy.setLong(2, eid);
          sy.setString(3, code);
          sy.setObject(4, date);
          sy.addBatch();
          sym++;
        }
        if (p.diagnosis() != null) {
          di.setLong(1, pid);
          di.setLong(2, eid);
          di.setString(3, p.diagnosis());
          di.setString(4, p.diagnosis());
          di.setObject(5, date);
          di.addBatch();
          dx++;
        }
        for (String body : p.notes()) {
          no.setLong(1, pid);
          no.setLong(2, eid);
          no.setObject(3, date);
          no.setString(4, body);
          no.addBatch();
          notes++;
        }
      }
      ob.executeBatch();
      sy.executeBatch();
      di.executeBatch();
      no.executeBatch();
    }
    return new Result(batch, patients.size(), obs, sym, dx, notes);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the file and the mapping and imports. */
  public Result importFile(java.nio.file.Path data, java.nio.file.Path mappingFile) {
    ImportMapping mapping;
    try (var in = java.nio.file.Files.newInputStream(mappingFile)) {
      mapping = ImportMapping.load(mappingFile.getFileName().toString(), in);
    } catch (java.io.IOException e) {
      throw new ImportException(mappingFile.getFileName().toString(), List.of("cannot read the mapping file"));
    }
    byte[] bytes;
    try {
      bytes = java.nio.file.Files.readAllBytes(data);
    } catch (java.io.IOException e) {
      throw new ImportException(data.getFileName().toString(), List.of("cannot read the file"));
    }
    TabularFile file;
    try {
      file = TabularFile.parse(data.getFileName().toString(), decode(data, bytes));
    } catch (TabularFile.Invalid e) {
      throw new ImportException(data.getFileName().toString(), e.problems());
    }
    return importFile(file, mapping, bytes);
  }

  private static String decode(java.nio.file.Path data, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ImportException(data.getFileName().toString(), List.of("the file is not UTF-8 text"));
    }
  }

  private static void add(List<String> problems, String p) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(p);
    } else if (problems.size() == MAX_PROBLEMS) {
      problems.add("more problems not listed");
    }
  }
}
