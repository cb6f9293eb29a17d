package io.medpipe.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.artifact.ArtifactProperties;
import io.medpipe.system.MedpipeProperties;
import io.medpipe.ehr.TestDatabase;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The leak scan reads the kill switch's events: a patient's name in a stop reason (a shape the API cannot refuse) is
 * found, named by place, never by value; an event without one is clean.
 */
class KillSwitchLeakScanTest {

  @Test
  void aPatientNamedInAKillSwitchReasonIsFound() throws Exception {
    JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.freshDatabase());
    var dir = Files.createTempDirectory("medpipe-kill-switch-scan");
    PhiScanService scan = new PhiScanService(jdbc, new MedpipeProperties(dir.toString()),
        new ArtifactProperties(dir.resolve("artifacts").toString(), null, "medpipe"), "");
    List<PatientIdentifiers> patients = PlantedPatients.PATIENTS;

    jdbc.update("INSERT INTO medpipe.kill_switch_event (action, actor, via, reason) VALUES ('stop', 'ops-console',"
        + " 'api-key', 'sepsis alerts doubled on ward 7 overnight')");
    assertThat(scan.scan(patients, List.of()).leaks()).isEmpty();

    PatientIdentifiers patient = patients.get(2);
    String name = patient.givenName() + " " + patient.familyName();
    Long id = jdbc.queryForObject("INSERT INTO medpipe.kill_switch_event (action, actor, via, reason) VALUES"
        + " ('resume', 'ops-console', 'api-key', ?) RETURNING id", Long.class, "checked again with " + name);
    assertThat(scan.scan(patients, List.of()).leaks()).singleElement().satisfies(l -> {
      assertThat(l.where()).isEqualTo("kill switch event " + id);
      assertThat(l.toString()).doesNotContain(patient.familyName());
    });
  }
}
