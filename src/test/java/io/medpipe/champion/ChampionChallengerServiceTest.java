package io.medpipe.champion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.artifact.FileSystemArtifactStore;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.DriftScenario;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.pipeline.RunOrigins;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.system.Json;
import io.medpipe.training.TrainingProperties;
import io.medpipe.training.TrainingRun;
import io.medpipe.training.TrainingRuns;
import io.medpipe.training.TrainingService;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.info.GitProperties;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The comparison on a real PostgreSQL with real registered versions: the patients the champion trained on (same
 * pseudonym) are left out of the comparison, exactly those; the champion is the one the run's origin names; a run
 * without a champion is skipped. The two versions share part of their patients: the champion's snapshot holds
 * patients 0-1199, the challenger's patients 600-1799 of the same generated population.
 */
class ChampionChallengerServiceTest {

  static JdbcTemplate jdbc;
  static SnapshotStore snapshots;
  static TrainingRuns runs;
  static ModelRegistry registry;
  static ChampionChallenger comparison;
  static ModelVersion champion;
  static ModelVersion challenger;

  @BeforeAll
  static void twoVersionsSharingPatients() throws Exception {
    jdbc = new JdbcTemplate(TestDatabase.freshDatabase());
    Json json = new Json(new ObjectMapper().findAndRegisterModules());
    snapshots = new SnapshotStore(jdbc, json);
    var artifacts = new FileSystemArtifactStore(Files.createTempDirectory("medpipe-champion"));
    runs = new TrainingRuns(jdbc, json, artifacts);
    var git = new StaticListableBeanFactory().getBeanProvider(GitProperties.class);
    registry = new ModelRegistry(jdbc, json, artifacts, runs, snapshots, git, (model, heldOut) -> "{}");
    TrainingService training = new TrainingService(snapshots, runs, new TrainingProperties(42, 30, 0.25, 49,
        "platt"), git);
    // 3% prevalence, so that the shared held-out rows still hold a few rare cases
    FeatureTable population = DriftScenario.table(DriftScenario.PREVALENCE.generate(1800, 5));
    champion = version(training, population, 0, 1200);
    challenger = version(training, population, 600, 1800);
    comparison = new ChampionChallenger(registry, runs, snapshots, new RunOrigins(jdbc),
        new ChampionComparisons(jdbc, json), new ChampionProperties(500, 7, 3), jdbc);
  }

  private static ModelVersion version(TrainingService training, FeatureTable population, int from, int to) {
    List<SnapshotStore.Row> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      rows.add(new SnapshotStore.Row("patient-" + i, population.x()[i], population.classes().get(population.y()[i])));
    }
    Snapshot snapshot = snapshots.create(population.features(), rows, "spec", "pi-" + from);
    TrainingRun run = training.train(snapshot.id(), "fabry", "pi-" + from);
    training.evaluate(run.id());
    return registry.register(run.id(), "pi-" + from);
  }

  private static void origin(String run, UUID championId) {
    jdbc.update("INSERT INTO medpipe.run_origin (run_id, trigger, champion_version_id) VALUES (?, 'manual', ?)", run,
        championId);
  }

  /** The pseudonyms of a version's rows: its held-out rows, or the rows it trained on. */
  private static Set<String> refs(ModelVersion v, boolean heldOut) {
    TrainingRun run = runs.find(v.trainingRunId());
    Set<Integer> test = new HashSet<>();
    for (int r : run.testRows()) {
      test.add(r);
    }
    Set<String> refs = new HashSet<>();
    jdbc.query("SELECT row_no, subject_ref FROM medpipe.dataset_row WHERE snapshot_id = ?", rs -> {
      if (test.contains(rs.getInt(1)) == heldOut) {
        refs.add(rs.getString(2));
      }
    }, v.snapshotId());
    return refs;
  }

  @Test
  void thePatientsTheChampionTrainedOnAreLeftOutAndOnlyThem() {
    origin("run-overlap", champion.id());
    ChampionComparison c = comparison.compare("staging-overlap", "run-overlap", challenger.id());

    Set<String> heldOut = refs(challenger, true);
    Set<String> trainedOn = refs(champion, false);
    long shared = heldOut.stream().filter(trainedOn::contains).count();
    assertThat(shared).as("the fixture shares patients").isPositive();
    assertThat(c.championVersionId()).isEqualTo(champion.id());
    assertThat(c.runId()).isEqualTo("run-overlap");
    @SuppressWarnings("unchecked")
    Map<String, Object> patients = (Map<String, Object>) c.body().get("patients");
    assertThat(patients).containsEntry("heldOutRows", heldOut.size())
        .containsEntry("excludedTrainedOnByChampion", (int) shared)
        .containsEntry("comparedRows", heldOut.size() - (int) shared);
    assertThat(c.rows()).isEqualTo(heldOut.size() - (int) shared);
    assertThat(c.status()).isEqualTo(ChampionComparison.Status.COMPARED);
    assertThat(c.body().toString()).doesNotContain("patient-");
  }

  @Test
  void aRunWithoutAChampionIsSkippedAndAStagingWithoutARunToo() {
    origin("run-first", null);
    ChampionComparison first = comparison.compare("staging-first", "run-first", challenger.id());
    assertThat(first.status()).isEqualTo(ChampionComparison.Status.NO_CHAMPION);
    assertThat(first.championVersionId()).isNull();
    assertThat(comparison.compare("staging-alone", null, challenger.id()).status())
        .isEqualTo(ChampionComparison.Status.NO_CHAMPION);
  }

  @Test
  void theSameComparisonTwiceGivesTheSameFigures() {
    origin("run-a", champion.id());
    origin("run-b", champion.id());
    ChampionComparison a = comparison.compare("staging-a", "run-a", challenger.id());
    ChampionComparison b = comparison.compare("staging-b", "run-b", challenger.id());
    assertThat(a.status()).isEqualTo(ChampionComparison.Status.COMPARED);
    assertThat(b.recallDifferenceLower()).isEqualTo(a.recallDifferenceLower());
    assertThat(b.auprcDifferenceLower()).isEqualTo(a.auprcDifferenceLower());
    assertThat(b.body().get("difference")).isEqualTo(a.body().get("difference"));
  }
}
