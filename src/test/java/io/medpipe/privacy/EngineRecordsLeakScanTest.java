package io.medpipe.privacy;

import static io.medpipe.pipeline.ProcessConstants.PROCESS_PIPELINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medpipe.artifact.ArtifactProperties;
import io.medpipe.pipeline.ProcessTestEngine;
import io.medpipe.system.MedpipeProperties;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.spin.plugin.variable.SpinValues;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The leak scan over the engine's and the sign-off records, on a real engine on PostgreSQL (review finding M3 and M5):
 * business keys, Json and serialised variables and their earlier values, sign-off comments and audit rows are
 * searched; a finding in one run stops that run's scan, not another run's; the append-only records have one audited
 * redaction that clears them.
 */
class EngineRecordsLeakScanTest {

  static ProcessTestEngine engine;
  static JdbcTemplate jdbc;
  static PhiScanService scan;
  static RuntimeService runtime;
  static final PatientIdentifiers OLIVIA = PlantedPatients.PATIENTS.get(0);

  @TempDir static Path dataDir;

  @BeforeAll
  static void start() {
    engine = ProcessTestEngine.start();
    jdbc = new JdbcTemplate(engine.dataSource());
    runtime = engine.engine().getRuntimeService();
    PlantedPatients.plant(jdbc);
    scan = new PhiScanService(jdbc, new MedpipeProperties(dataDir.toString()),
        new ArtifactProperties(dataDir.resolve("artifacts").toString(), null, "medpipe"), "");
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void findsIdentifiersInBusinessKeysJsonVariablesSignOffsAndAuditAndScopesThemToTheirRun() {
    String name = OLIVIA.givenName() + " " + OLIVIA.familyName();
    String byKey = start("mrn-" + OLIVIA.mrn().replaceAll("\\D", ""), Map.of());
    String byJson = start("run-json", Map.of("contact", SpinValues.jsonValue("{\"patient\": \"" + name
        + "\", \"ssn\": \"" + OLIVIA.nationalId() + "\"}").create()));
    String byLabel = start("run-label", Map.of("alertNames", OLIVIA.givenName() + OLIVIA.familyName()));
    String edited = start("run-edited", Map.of("note", "called " + OLIVIA.phone()));
    runtime.setVariable(edited, "note", "nothing");           // the old value stays in act_hi_detail
    String clean = start("run-clean", Map.of());
    String signed = start("run-signed", Map.of());
    UUID signOff = UUID.randomUUID();
    jdbc.update("INSERT INTO medpipe.sign_off (id, run_id, process_instance_id, task_id, task_key, signed_by, decision,"
        + " comment) VALUES (?, ?, ?, ?, 'medical-qa-review', 'reviewer', 'reject', ?)", signOff, signed, signed,
        "t-" + signOff, "as with " + name + " last year");
    Long audit = jdbc.queryForObject("INSERT INTO medpipe.run_audit (actor, operation, outcome, detail)"
        + " VALUES ('scientist', ?, 'refused', 'reserved to administrators') RETURNING id", Long.class,
        "variable edit (" + name + " " + OLIVIA.nationalId() + ")");

    PhiScanService.ScanReport forClean = scan.scanFor(clean);
    // the audit row names no run: shared, it stops every run; the others belong to their runs
    assertThat(forClean.leaks()).extracting(PhiLeakScanner.Leak::where).containsOnly("run audit");
    assertThat(forClean.elsewhere()).extracting(PhiLeakScanner.Leak::toString).contains(
        "MRN in business key of run " + byKey, "NAME in process variables of run " + byJson,
        "NATIONAL_ID in process variables of run " + byJson, "NAME in process variables of run " + byLabel,
        "PHONE in process variables of run " + edited, "NAME in sign-off of run " + signed);
    assertThat(forClean.summary()).doesNotContain(OLIVIA.familyName(), OLIVIA.nationalId(), OLIVIA.mrn());
    assertThat(scan.scanFor(byKey).leaks()).extracting(PhiLeakScanner.Leak::where)
        .contains("business key of run " + byKey).doesNotContain("process variables of run " + byJson);

    // the append-only records: never changed but by the one redaction, which is audited
    assertThatThrownBy(() -> jdbc.update("UPDATE medpipe.sign_off SET comment = 'x' WHERE id = ?", signOff))
        .hasMessageContaining("can only be voided");
    assertThatThrownBy(() -> jdbc.update("UPDATE medpipe.run_audit SET operation = 'x' WHERE id = ?", audit))
        .hasMessageContaining("append-only");
    jdbc.queryForList("SELECT medpipe.redact_sign_off_comment(?, 'admin')", signOff);
    jdbc.queryForList("SELECT medpipe.redact_run_audit(?, 'admin')", audit);
    assertThat(jdbc.queryForList("SELECT operation FROM medpipe.run_audit WHERE actor = 'admin' ORDER BY id",
        String.class)).containsExactly("sign-off comment redacted", "audit row redacted");
    assertThatThrownBy(() -> jdbc.queryForList("SELECT medpipe.redact_run_audit(?, 'admin')", audit))
        .hasMessageContaining("no unredacted audit row");
    assertThat(scan.scanFor(clean).clean()).isTrue();
    assertThat(scan.scanFor(signed).leaks()).isEmpty();
  }

  private static String start(String businessKey, Map<String, Object> variables) {
    return runtime.startProcessInstanceByKey(PROCESS_PIPELINE, businessKey, variables).getId();
  }

}
