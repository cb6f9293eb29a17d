package io.medpipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.artifact.ArtifactProperties;
import io.medpipe.privacy.PatientIdentifiers;
import io.medpipe.privacy.PhiLeakScanner;
import io.medpipe.privacy.PhiScanService;
import io.medpipe.privacy.PlantedPatients;
import io.medpipe.registry.ModelVersion;
import io.medpipe.system.MedpipeProperties;
import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The PHI leak scan covers what the monitor writes: drift reports (JSON and HTML, kind drift), the monitor runs'
 * records and the reference profiles kept with model versions. A real run's output is clean; an identifier planted in
 * any of them is found, named by place and kind, never by value.
 */
// the planted reference profile goes last: a model version cannot be deleted (rule model_version_no_delete)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriftReportLeakScanTest {

  static MonitoringFixture fixture;
  static PhiScanService scan;
  static MonitorService.Result run;
  static final List<PatientIdentifiers> PATIENTS = PlantedPatients.PATIENTS;

  @BeforeAll
  static void aMonitorRun() throws Exception {
    fixture = new MonitoringFixture(MonitoringProperties.defaults());
    ModelVersion version = fixture.syntheticVersion(600, 800, 1.2);
    run = fixture.monitor.run(new MonitorService.Request(null, version.id(), 800, null, null, "manual", "olga",
        null));
    var dir = Files.createTempDirectory("medpipe-scan");
    scan = new PhiScanService(fixture.jdbc, new MedpipeProperties(dir.toString()),
        new ArtifactProperties(dir.resolve("artifacts").toString(), null, "medpipe"), "");
  }

  private static List<PhiLeakScanner.Leak> leaks() {
    return scan.scan(PATIENTS, List.of()).leaks();
  }

  @Test
  void aRealMonitorRunLeavesNothingIdentifying() {
    assertThat(run.reportId()).isNotNull();
    assertThat(fixture.jdbc.queryForObject("SELECT count(*) FROM medpipe.report WHERE kind = 'drift'", Long.class))
        .isPositive();
    PhiScanService.ScanReport report = scan.scan(PATIENTS, List.of());
    assertThat(report.leaks()).isEmpty();
    assertThat(report.summary()).startsWith("no identifier of " + PATIENTS.size() + " patients found");
  }

  @Test
  void anIdentifierInADriftReportIsFound() {
    UUID id = UUID.randomUUID();
    String mrn = PATIENTS.get(0).mrn();
    fixture.jdbc.update("INSERT INTO medpipe.report (id, kind, body, html) SELECT ?, kind, body, replace(html,"
        + " '<h1>Drift report</h1>', '<h1>Drift report</h1><p>' || ? || '</p>') FROM medpipe.report WHERE id = ?",
        id, mrn, run.reportId());
    try {
      assertThat(leaks()).anySatisfy(l -> {
        assertThat(l.where()).isEqualTo("report " + id + " (drift)");
        assertThat(l.toString()).doesNotContain(mrn);
      });
    } finally {
      fixture.jdbc.update("DELETE FROM medpipe.report WHERE id = ?", id);
    }
  }

  @Test
  void anIdentifierInAMonitorRunRecordIsFound() {
    String name = PATIENTS.get(1).givenName() + " " + PATIENTS.get(1).familyName();
    fixture.jdbc.update("UPDATE medpipe.monitor_run SET message = message || ' ' || ? WHERE id = ?", name,
        run.runId());
    try {
      assertThat(leaks()).anySatisfy(l -> assertThat(l.where()).isEqualTo("monitor run " + run.runId()));
    } finally {
      fixture.jdbc.update("UPDATE medpipe.monitor_run SET message = replace(message, ' ' || ?, '') WHERE id = ?",
          name, run.runId());
    }
    assertThat(leaks()).isEmpty();
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void anIdentifierInAReferenceProfileIsFound() {
    // a categorical level made of an e-mail address: the profile counts levels, so it would keep the value
    String email = PATIENTS.get(2).email();
    UUID id = UUID.randomUUID();
    fixture.jdbc.update("""
        INSERT INTO medpipe.model_version (id, name, version, training_run_id, snapshot_id, dataset_hash, algorithm,
          params, metrics, artifact_uri, artifact_sha256, reference_profile, reference_profile_sha256)
        SELECT ?, 'planted', 1, training_run_id, snapshot_id, dataset_hash, algorithm, params, metrics, artifact_uri,
          artifact_sha256, replace(reference_profile, '"a"', '"' || ? || '"'), 'x' FROM medpipe.model_version
        WHERE reference_profile IS NOT NULL LIMIT 1""", id, email);
    assertThat(leaks()).anySatisfy(l -> assertThat(l.where()).isEqualTo("model version " + id));
  }
}
