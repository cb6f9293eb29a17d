package io.medpipe.privacy;

import io.medpipe.system.MedpipeProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The PHI leak scan: every identifier of every EHR patient is searched for in everything medpipe writes outside
 * the EHR — snapshots (rows, scrubbed notes, metadata), reports (drift reports included), training runs, the model
 * registry (with the versions' reference profiles), the drift monitor's runs, the prediction log, process variables,
 * the model artifacts (file store) and the application log file.
 */
@Service
public class PhiScanService {

  private static final Logger LOG = LoggerFactory.getLogger(PhiScanService.class);
  private static final int CHUNK = 5000;
  private static final long MAX_FILE_BYTES = 256L << 20;

  private final JdbcTemplate jdbc;
  private final Path artifactDir;
  private final String logFile;

  public PhiScanService(JdbcTemplate jdbc, MedpipeProperties properties,
                        @Value("${logging.file.name:}") String logFile) {
    this.jdbc = jdbc;
    String dir = properties.artifacts() == null ? null : properties.artifacts().dir();
    boolean gcs = properties.artifacts() != null && properties.artifacts().gcsBucket() != null
        && !properties.artifacts().gcsBucket().isBlank();
    this.artifactDir = gcs ? null : dir == null || dir.isBlank() ? Path.of(properties.dataDir(), "artifacts") : Path.of(dir);
    this.logFile = logFile;
  }

  /**
   * What a scan found.
   *
   * @param patients patients whose identifiers were searched for
   * @param places   places (tables, chunks, files) searched
   * @param leaks    findings: where and which kind, never the value
   */
  public record ScanReport(int patients, int places, List<PhiLeakScanner.Leak> leaks) {
    public boolean clean() {
      return leaks.isEmpty();
    }

    /**
     * A readable summary for an incident: what kind of place holds an identifier, what the operator does about each
     * kind (redact, purge, re-run), and the findings by kind and place. Never the value found.
     */
    public String summary() {
      if (leaks.isEmpty()) {
        return "no identifier of " + patients + " patients found in " + places + " places";
      }
      java.util.Set<Place> kinds = new java.util.LinkedHashSet<>();
      leaks.forEach(l -> kinds.add(Place.of(l.where())));
      List<String> first = leaks.stream().limit(10).map(PhiLeakScanner.Leak::toString).toList();
      // the advice first: an incident message is cut at its end when it is long
      String summary = "PHI leak: " + leaks.size() + " finding(s) of patient identifiers outside the EHR. What to do: "
          + String.join("; ", kinds.stream().map(Place::action).toList())
          + "; then retry this step (Cockpit, the incident's Retry) to scan again, or cancel the run. Found: "
          + String.join("; ", first) + (leaks.size() > 10 ? "; ..." : "");
      if (leaks.stream().anyMatch(l -> l.where().startsWith("prediction log"))) {
        // the one place a client, not medpipe, can put an identifier: say how to remove it
        summary += ". The prediction log holds an identifier a client sent: find the records (GET /api/v1/predictions)"
            + " and redact them (POST /api/v1/admin/predictions/redactions, admin key), then retry this step";
      }
      return summary;
    }
  }

  /** The kinds of place the scan searches, each with what an operator does about an identifier found there. */
  enum Place {
    SNAPSHOT("snapshot", "a snapshot: delete it (medpipe.dataset_snapshot; its rows and notes go with it), the next"
        + " run extracts a new one"),
    REPORT("report", "a report: redact it or delete it (medpipe.report)"),
    TRAINING_RUN("training run", "a training run: purge its stored parameters and metrics (medpipe.training_run)"),
    MODEL_VERSION("model version", "a model version: reject it (registry stage REJECTED) and remove the identifier at"
        + " its source (data or feature spec), then train again"),
    PREDICTION_LOG("prediction log", "the prediction log: redact the records (the API's admin redaction,"
        + " docs/security-api.md) or purge them"),
    MONITOR_RUN("monitor run", "a drift monitor run: delete its record (medpipe.monitor_run); its drift report is a"
        + " report"),
    PROCESS_VARIABLES("process variables", "process history: delete the history of the run that holds it (Cockpit)"),
    ARTIFACT("artifact", "an artifact file: delete it"),
    LOG("log", "a log file: rotate it and delete the old file"),
    OTHER("", "the named place: redact or purge it");

    private final String prefix;
    private final String action;

    Place(String prefix, String action) {
      this.prefix = prefix;
      this.action = action;
    }

    String action() {
      return action;
    }

    static Place of(String where) {
      for (Place p : values()) {
        if (!p.prefix.isEmpty() && where.startsWith(p.prefix)) {
          return p;
        }
      }
      return OTHER;
    }
  }

  /** Scans everything with the identifiers of every patient in ehr.patient. */
  public ScanReport scanAll() {
    return scan(sources(), List.of());
  }

  /** The identifiers of every EHR patient. */
  public List<PatientIdentifiers> sources() {
    return jdbc.query("SELECT mrn, national_id, given_name, family_name, birth_date, address, zip, phone, email"
        + " FROM ehr.patient", (rs, i) -> new PatientIdentifiers(rs.getString(1), rs.getString(2), rs.getString(3),
        rs.getString(4), rs.getObject(5, LocalDate.class), rs.getString(6), rs.getString(7), rs.getString(8),
        rs.getString(9)));
  }

  /** Scans the database, the artifact store, the log file and any extra files (e.g. a captured test log). */
  public ScanReport scan(List<PatientIdentifiers> sources, List<Path> extraFiles) {
    PhiLeakScanner scanner = new PhiLeakScanner(sources);
    List<PhiLeakScanner.Leak> leaks = new ArrayList<>();
    int[] places = {0};
    for (String id : jdbc.queryForList("SELECT id::text FROM medpipe.dataset_snapshot ORDER BY created_at",
        String.class)) {
      String where = "snapshot " + id;
      place(scanner, leaks, places, where + " metadata", jdbc.queryForObject("SELECT features::text || classes::text"
          + " || class_counts::text || metadata::text || coalesce(process_instance_id, '')"
          + " FROM medpipe.dataset_snapshot WHERE id = ?::uuid", String.class, id));
      chunks(scanner, leaks, places, where + " rows", "SELECT subject_ref || ' ' || label || ' '"
          + " FROM medpipe.dataset_row WHERE snapshot_id = ?::uuid ORDER BY row_no", id);
      chunks(scanner, leaks, places, where + " notes", "SELECT subject_ref || ' ' || written_at || ' ' || body"
          + " FROM medpipe.dataset_note WHERE snapshot_id = ?::uuid ORDER BY row_no", id);
    }
    jdbc.query("SELECT id::text, kind, body::text || ' ' || coalesce(html, '') FROM medpipe.report", rs -> {
      place(scanner, leaks, places, "report " + rs.getString(1) + " (" + rs.getString(2) + ")", rs.getString(3));
    });
    jdbc.query("SELECT id::text, params::text || ' ' || coalesce(metrics::text, '') FROM medpipe.training_run", rs -> {
      place(scanner, leaks, places, "training run " + rs.getString(1), rs.getString(2));
    });
    // the reference profile holds aggregates only (bins, category counts), and its category levels come from the
    // data: an identifier used as a level would sit there
    jdbc.query("SELECT id::text, concat_ws(' ', name, params::text, metrics::text, artifact_uri, git_commit,"
        + " reference_profile) FROM medpipe.model_version", rs -> {
          place(scanner, leaks, places, "model version " + rs.getString(1), rs.getString(2));
        });
    // drift reports are reports (kind drift, above); the runs' own records keep messages and policy reasons
    jdbc.query("SELECT id::text, concat_ws(' ', message, signals::text, requested_by) FROM medpipe.monitor_run", rs -> {
      place(scanner, leaks, places, "monitor run " + rs.getString(1), rs.getString(2));
    });
    chunks(scanner, leaks, places, "prediction log", "SELECT concat_ws(' ', features::text, patient_ref, request_id,"
        + " client_id, predicted_class, probabilities::text, explanation::text) FROM medpipe.prediction_log"
        + " ORDER BY created_at");
    try {
      chunks(scanner, leaks, places, "process variables", "SELECT concat_ws(' ', name_, text_, text2_)"
          + " FROM act_hi_varinst WHERE text_ IS NOT NULL OR text2_ IS NOT NULL");
    } catch (DataAccessException e) {
      LOG.debug("no Camunda history tables to scan");
    }
    if (artifactDir != null && Files.isDirectory(artifactDir)) {
      try (Stream<Path> files = Files.walk(artifactDir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          file(scanner, leaks, places, "artifact " + artifactDir.relativize(f), f);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list the artifact store", e);
      }
    }
    List<Path> files = new ArrayList<>(extraFiles);
    if (logFile != null && !logFile.isBlank()) {
      files.add(Path.of(logFile));
    }
    for (Path f : files) {
      if (Files.isRegularFile(f)) {
        file(scanner, leaks, places, "log " + f.getFileName(), f);
      }
    }
    ScanReport report = new ScanReport(scanner.patients(), places[0], List.copyOf(leaks));
    if (report.clean()) {
      LOG.info("PHI scan: {}", report.summary());
    } else {
      LOG.error("PHI scan: {}", report.summary());
    }
    return report;
  }

  private void chunks(PhiLeakScanner scanner, List<PhiLeakScanner.Leak> leaks, int[] places, String where, String sql,
                      Object... args) {
    StringBuilder text = new StringBuilder();
    int[] n = {0};
    jdbc.query(sql, rs -> {
      text.append(rs.getString(1)).append('\n');
      if (++n[0] % CHUNK == 0) {
        place(scanner, leaks, places, where, text.toString());
        text.setLength(0);
      }
    }, args);
    if (!text.isEmpty()) {
      place(scanner, leaks, places, where, text.toString());
    }
  }

  private static void file(PhiLeakScanner scanner, List<PhiLeakScanner.Leak> leaks, int[] places, String where,
                           Path f) {
    try {
      if (Files.size(f) > MAX_FILE_BYTES) {
        LOG.warn("PHI scan: {} is larger than {} bytes and was not scanned", where, MAX_FILE_BYTES);
        return;
      }
      // decoded leniently: the text embedded in binary artifacts (serialised models) is scanned too
      byte[] bytes = Files.readAllBytes(f);
      place(scanner, leaks, places, where, new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + where, e);
    }
  }

  private static void place(PhiLeakScanner scanner, List<PhiLeakScanner.Leak> leaks, int[] places, String where,
                            String text) {
    places[0]++;
    for (PhiLeakScanner.Leak leak : scanner.scan(where, text)) {
      if (!leaks.contains(leak)) {
        leaks.add(leak);
      }
    }
  }
}
