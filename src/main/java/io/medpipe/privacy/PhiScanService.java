package io.medpipe.privacy;

import io.medpipe.artifact.ArtifactProperties;
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
 * registry (with the versions' reference profiles), the drift monitor's runs, the prediction log, the engine's
 * records (process variables of every type, Json and serialised objects included, their earlier values, business
 * keys), the sign-off and audit records, the model artifacts (file store) and the application log file.
 *
 * <p>A finding in the engine's or the sign-off records belongs to one run. A run's own scan ({@link #scanFor}) stops
 * on findings in shared places and in its own run, and names findings in other runs without stopping: one run's
 * leaked variable must not stop every other run. Shared places (snapshots, reports, the prediction log, the log file,
 * ...) stop every run by design: every run reads or writes them, and each has one action that clears it (below).
 */
@Service
public class PhiScanService {

  private static final Logger LOG = LoggerFactory.getLogger(PhiScanService.class);
  private static final int CHUNK = 5000;
  private static final long MAX_FILE_BYTES = 256L << 20;

  private final JdbcTemplate jdbc;
  private final Path artifactDir;
  private final String logFile;

  public PhiScanService(JdbcTemplate jdbc, MedpipeProperties properties, ArtifactProperties artifacts,
                        @Value("${logging.file.name:}") String logFile) {
    this.jdbc = jdbc;
    String dir = artifacts == null ? null : artifacts.dir();
    boolean gcs = artifacts != null && artifacts.gcsBucket() != null
        && !artifacts.gcsBucket().isBlank();
    this.artifactDir = gcs ? null : dir == null || dir.isBlank() ? Path.of(properties.dataDir(), "artifacts")
        : Path.of(dir);
    this.logFile = logFile;
  }

  /**
   * What a scan found.
   *
   * @param patients patients whose identifiers were searched for
   * @param places   places (tables, chunks, files) searched
   * @param leaks    findings: where and which kind, never the value
   */
  public record ScanReport(int patients, int places, List<PhiLeakScanner.Leak> leaks,
                           List<PhiLeakScanner.Leak> elsewhere) {

    public ScanReport(int patients, int places, List<PhiLeakScanner.Leak> leaks) {
      this(patients, places, leaks, List.of());
    }

    /** Nothing that stops this run: findings in other runs' records ({@link #elsewhere}) do not. */
    public boolean clean() {
      return leaks.isEmpty();
    }

    /**
     * A readable summary for an incident: what kind of place holds an identifier, what the operator does about each
     * kind (redact, purge, re-run), and the findings by kind and place. Never the value found.
     */
    public String summary() {
      if (leaks.isEmpty()) {
        return "no identifier of " + patients + " patients found in " + places + " places" + (elsewhere.isEmpty() ? ""
            : "; but " + elsewhere.size() + " finding(s) in other runs' records, which do not stop this run: "
                + String.join("; ", elsewhere.stream().limit(10).map(PhiLeakScanner.Leak::toString).toList())
                + ". What to do: " + String.join("; ", elsewhere.stream().map(l -> Place.of(l.where()).action())
                    .distinct().toList()));
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
    KILL_SWITCH("kill switch event", "a kill switch event: the database owner deletes it (medpipe.kill_switch_event is"
        + " append-only: disable its triggers for the deletion), and tells whoever stopped or resumed the model to"
        + " give reasons without patient details"),
    CHAMPION_COMPARISON("champion comparison", "a champion comparison: the database owner deletes it (medpipe"
        + ".champion_comparison and champion_verdict are append-only: disable their triggers for the deletion)"),
    PROCESS_VARIABLES("process variables", "process variables of a run: cancel the run if it still runs, then an"
        + " administrator deletes its history (Cockpit, or DELETE /engine-rest/history/process-instance/{run}; its"
        + " stages' history goes with it)"),
    BUSINESS_KEY("business key", "a run's business key: cancel the run if it still runs, then an administrator deletes"
        + " its history (its stages' history goes with it)"),
    SIGN_OFF("sign-off", "a sign-off comment: the database owner redacts it, audited (SELECT"
        + " medpipe.redact_sign_off_comment(id, who); docs/security.md)"),
    RUN_AUDIT("run audit", "an audit row: the database owner redacts it, audited (SELECT medpipe.redact_run_audit(id,"
        + " who); docs/security.md)"),
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

  /** Scans everything with the identifiers of every patient in ehr.patient; every finding counts. */
  public ScanReport scanAll() {
    return scan(sources(), List.of());
  }

  /**
   * A run's scan: like {@link #scanAll}, but findings in another run's records are reported in
   * {@link ScanReport#elsewhere} instead of stopping this run.
   *
   * @param processInstanceId any process instance of the run (the stage that scans)
   */
  public ScanReport scanFor(String processInstanceId) {
    String run = runOf(processInstanceId);
    return scan(sources(), List.of(), run);
  }

  private String runOf(String processInstanceId) {
    try {
      List<String> roots = jdbc.queryForList("SELECT root_proc_inst_id_ FROM act_hi_procinst WHERE id_ = ?",
          String.class, processInstanceId);
      return roots.isEmpty() || roots.get(0) == null ? processInstanceId : roots.get(0);
    } catch (DataAccessException e) {
      return processInstanceId;
    }
  }

  /** The identifiers of every EHR patient. */
  public List<PatientIdentifiers> sources() {
    return jdbc.query("SELECT mrn, national_id, given_name, family_name, birth_date, address, zip, phone, email"
        + " FROM ehr.patient",
        (rs, i) -> new PatientIdentifiers(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4), rs.getObject(5, LocalDate.class), rs.getString(6), rs.getString(7), rs.getString(8),
            rs.getString(9)));
  }

  /** Scans the database, the artifact store, the log file and any extra files (e.g. a captured test log). */
  public ScanReport scan(List<PatientIdentifiers> sources, List<Path> extraFiles) {
    return scan(sources, extraFiles, null);
  }

  private ScanReport scan(List<PatientIdentifiers> sources, List<Path> extraFiles, String forRun) {
    PhiLeakScanner scanner = new PhiLeakScanner(sources);
    List<PhiLeakScanner.Leak> leaks = new ArrayList<>();
    List<PhiLeakScanner.Leak> elsewhere = new ArrayList<>();
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
    // the API refuses an identifier-shaped reason, but a name or a free-text detail is not a shape: scanned too
    jdbc.query("SELECT id::text, concat_ws(' ', actor, reason) FROM medpipe.kill_switch_event", rs -> {
      place(scanner, leaks, places, "kill switch event " + rs.getString(1), rs.getString(2));
    });
    // aggregates and model labels only, but the labels and summaries are text: scanned like the other records
    jdbc.query("SELECT c.id::text, concat_ws(' ', c.body::text, v.reason) FROM medpipe.champion_comparison c"
        + " LEFT JOIN medpipe.champion_verdict v ON v.comparison_id = c.id", rs -> {
          place(scanner, leaks, places, "champion comparison " + rs.getString(1), rs.getString(2));
        });
    chunks(scanner, leaks, places, "prediction log", "SELECT concat_ws(' ', features::text, patient_ref, request_id,"
        + " client_id, predicted_class, probabilities::text, explanation::text) FROM medpipe.prediction_log"
        + " ORDER BY created_at");
    try {
      engineRecords(scanner, leaks, elsewhere, places, forRun);
    } catch (DataAccessException e) {
      LOG.debug("no Camunda history tables to scan");
    }
    signOffRecords(scanner, leaks, elsewhere, places, forRun);
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
    ScanReport report = new ScanReport(scanner.patients(), places[0], List.copyOf(leaks), List.copyOf(elsewhere));
    if (report.clean() && elsewhere.isEmpty()) {
      LOG.info("PHI scan: {}", report.summary());
    } else if (report.clean()) {
      LOG.warn("PHI scan: {}", report.summary());
    } else {
      LOG.error("PHI scan: {}", report.summary());
    }
    return report;
  }

  /**
   * The engine's history: every run's business keys (its stages' too) and variables of every type: text columns, and
   * the bytes of Json, Object and serialised values (decoded as text, as the artifacts are), current and earlier values
   * (act_hi_detail). Each finding belongs to the run (root process instance) that holds it.
   */
  private void engineRecords(PhiLeakScanner scanner, List<PhiLeakScanner.Leak> leaks,
                             List<PhiLeakScanner.Leak> elsewhere, int[] places, String forRun) {
    perRun(scanner, leaks, elsewhere, places, forRun, "business key of run ", "SELECT coalesce(root_proc_inst_id_,"
        + " id_), business_key_, NULL::bytea FROM act_hi_procinst WHERE business_key_ IS NOT NULL"
        + " ORDER BY 1");
    for (String table : List.of("act_hi_varinst", "act_hi_detail")) {
      perRun(scanner, leaks, elsewhere, places, forRun, "process variables of run ",
          "SELECT coalesce(v.root_proc_inst_id_,"
              + " v.proc_inst_id_, ''), concat_ws(' ', v.name_, v.text_, v.text2_), b.bytes_ FROM " + table + " v"
              + " LEFT JOIN act_ge_bytearray b ON b.id_ = v.bytearray_id_ ORDER BY 1");
    }
  }

  /** The sign-off comments and void reasons (per run) and the audit rows (per run, or shared when they name none). */
  private void signOffRecords(PhiLeakScanner scanner, List<PhiLeakScanner.Leak> leaks,
                              List<PhiLeakScanner.Leak> elsewhere, int[] places, String forRun) {
    perRun(scanner, leaks, elsewhere, places, forRun, "sign-off of run ", "SELECT run_id, concat_ws(' ', id::text,"
        + " signed_by, comment, void_reason), NULL::bytea FROM medpipe.sign_off ORDER BY run_id, seq");
    perRun(scanner, leaks, elsewhere, places, forRun, "run audit of run ", "SELECT coalesce(run_id, ''),"
        + " concat_ws(' ', 'row', id, actor, operation, detail), NULL::bytea FROM medpipe.run_audit ORDER BY run_id, id");
  }

  /**
   * Scans rows of (run, text, bytes) per run; a finding of another run goes to {@code elsewhere} when scanning for one
   * run. Rows with no run ('') are shared: they stop every run.
   */
  private void perRun(PhiLeakScanner scanner, List<PhiLeakScanner.Leak> leaks, List<PhiLeakScanner.Leak> elsewhere,
                      int[] places, String forRun, String where, String sql) {
    StringBuilder text = new StringBuilder();
    String[] current = {null};
    int[] n = {0};
    Runnable flush = () -> {
      if (current[0] != null && !text.isEmpty()) {
        String run = current[0];
        String label = run.isEmpty() ? where.replace(" of run ", "") : where + run;
        boolean ours = forRun == null || run.isEmpty() || run.equals(forRun);
        place(scanner, ours ? leaks : elsewhere, places, label, splitJoinedWords(text.toString()));
      }
      text.setLength(0);
    };
    jdbc.query(sql, rs -> {
      String run = rs.getString(1) == null ? "" : rs.getString(1);
      if (!run.equals(current[0]) || ++n[0] % CHUNK == 0) {
        flush.run();
        current[0] = run;
      }
      text.append(rs.getString(2)).append('\n');
      byte[] bytes = rs.getBytes(3);
      if (bytes != null) {
        text.append(new String(bytes, StandardCharsets.UTF_8)).append('\n');
      }
    });
    flush.run();
  }

  /**
   * The text, and again with words that were run together split apart ("ElenaHuber" -> "Elena Huber"): names in
   * engine records are often identifiers of the form a label or a variable name takes.
   */
  private static String splitJoinedWords(String text) {
    return text + "\n" + text.replaceAll("(?<=\\p{Ll})(?=\\p{Lu})", " ").replace('_', ' ');
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
