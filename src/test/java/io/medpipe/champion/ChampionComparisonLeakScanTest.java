package io.medpipe.champion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.artifact.ArtifactProperties;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.monitoring.MonitoringFixture;
import io.medpipe.monitoring.MonitoringProperties;
import io.medpipe.privacy.PatientIdentifiers;
import io.medpipe.privacy.PhiLeakScanner;
import io.medpipe.privacy.PhiScanService;
import io.medpipe.privacy.PlantedPatients;
import io.medpipe.system.Json;
import io.medpipe.system.MedpipeProperties;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The leak scan reads the champion comparisons and their verdicts: an identifier planted in either is found, named by
 * place, never by value; a comparison of aggregates is clean. Both tables are append-only, so each check runs on a
 * fresh database.
 */
class ChampionComparisonLeakScanTest {

  static final List<PatientIdentifiers> PATIENTS = PlantedPatients.PATIENTS;

  record Db(JdbcTemplate jdbc, ChampionComparisons comparisons, UUID version, PhiScanService scan) {}

  static Db db() throws Exception {
    JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.freshDatabase());
    Json json = new Json(new ObjectMapper().findAndRegisterModules());
    UUID version = MonitoringFixture.insertSyntheticVersion(jdbc, json, new SnapshotStore(jdbc, json),
        MonitoringProperties.defaults(), 200, 0, 1.0);
    var dir = Files.createTempDirectory("medpipe-champion-scan");
    PhiScanService scan = new PhiScanService(jdbc, new MedpipeProperties(dir.toString()),
        new ArtifactProperties(dir.resolve("artifacts").toString(), null, "medpipe"), "");
    return new Db(jdbc, new ChampionComparisons(jdbc, json), version, scan);
  }

  private static UUID comparison(Db db, String summary) {
    UUID id = UUID.randomUUID();
    db.comparisons().insert(new ChampionComparison(id, null, "run-1", "staging-1", db.version(), null,
        ChampionComparison.Status.NO_CHAMPION, 0, 0, null, null, Map.of("status", "no-champion", "summary", summary)));
    return id;
  }

  private static List<PhiLeakScanner.Leak> leaks(Db db) {
    return db.scan().scan(PATIENTS, List.of()).leaks();
  }

  @Test
  void aComparisonOfAggregatesIsCleanAndAnIdentifierInOneIsFound() throws Exception {
    Db db = db();
    comparison(db, "no version was in production when this run started");
    assertThat(leaks(db)).isEmpty();

    String mrn = PATIENTS.get(0).mrn();
    UUID planted = comparison(db, "compared on patient " + mrn);
    assertThat(leaks(db)).anySatisfy(l -> {
      assertThat(l.where()).isEqualTo("champion comparison " + planted);
      assertThat(l.toString()).doesNotContain(mrn);
    });
  }

  @Test
  void anIdentifierInAVerdictIsFound() throws Exception {
    Db db = db();
    UUID id = comparison(db, "clean");
    String name = PATIENTS.get(1).givenName() + " " + PATIENTS.get(1).familyName();
    db.jdbc().update("INSERT INTO medpipe.champion_verdict (comparison_id, run_id, proceed, reason)"
        + " VALUES (?, 'run-1', false, ?)", id, "champion kept for " + name);
    assertThat(leaks(db)).anySatisfy(l -> assertThat(l.where()).isEqualTo("champion comparison " + id));
  }

  @Test
  void theRecordsAreWrittenOnce() throws Exception {
    Db db = db();
    UUID id = comparison(db, "clean");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> db.jdbc().update(
        "UPDATE medpipe.champion_comparison SET status = 'compared' WHERE id = ?", id))
        .hasMessageContaining("append-only");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> db.jdbc().update(
        "DELETE FROM medpipe.champion_comparison WHERE id = ?", id)).hasMessageContaining("append-only");
  }
}
