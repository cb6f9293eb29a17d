package io.medpipe.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.artifact.ArtifactStore;
import io.medpipe.artifact.FileSystemArtifactStore;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.system.Json;
import io.medpipe.training.card.ClinicalValidation;
import io.medpipe.training.card.ModelCard;
import io.medpipe.training.model.ModelProvenance;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** A training run against a real PostgreSQL: the stored metrics and card carry calibration and clinical validation. */
class TrainingRunCardTest {

  static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();
  static JdbcTemplate jdbc;
  static TrainingService training;
  static TrainingRuns runs;
  static Path artifactDir;
  static UUID snapshotId;

  @BeforeAll
  static void database() throws Exception {
    jdbc = new JdbcTemplate(TestDatabase.freshDatabase());
    Json json = new Json(MAPPER);
    SnapshotStore snapshots = new SnapshotStore(jdbc, json);
    FeatureTable data = SyntheticTables.rareLabs(600, 3);
    List<SnapshotStore.Row> rows = new ArrayList<>();
    for (int i = 0; i < data.rows(); i++) {
      rows.add(new SnapshotStore.Row("p-" + i, data.x()[i], data.classes().get(data.y()[i])));
    }
    Snapshot snapshot = snapshots.create(data.features(), rows, "spec", "pi-1");
    snapshotId = snapshot.id();
    TrainingProperties settings = new TrainingProperties(42, 30, 0.25, 19, "platt");
    artifactDir = Files.createTempDirectory("medpipe-artifacts");
    runs = new TrainingRuns(jdbc, json, new FileSystemArtifactStore(artifactDir));
    training = new TrainingService(snapshots, runs, settings, "abc123");
  }

  @Test
  void evaluationStoresCalibrationBeforeAndAfterAndTheValidationIsAddedToTheCardForAFail() throws Exception {
    TrainingRun run = training.train(snapshotId, "rare", "pi-1");
    assertThat(((Map<?, ?>) ((Map<?, ?>) run.params().get("provenance")).get("calibration")).get("method"))
        .isEqualTo("platt");
    assertThatThrownBy(() -> training.recordValidation(run.id(), ClinicalValidation.of(List.of(), false, List.of())))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not evaluated");

    training.evaluate(run.id());
    JsonNode metrics = MAPPER.valueToTree(runs.find(run.id()).metrics());
    assertThat(metrics.path("decision").asText()).endsWith(" on calibrated probabilities");
    assertThat(metrics.path("calibration").path("before").has("brier")).isTrue();
    assertThat(metrics.path("calibration").path("after").path("reliability").size()).isPositive();
    assertThat(runs.modelCardHtml(run.id()).orElseThrow()).contains(ModelCard.PENDING);

    List<Map<String, Object>> rows = List.of(
        Map.of("rule", "rare-class recall (95% CI lower bound)", "threshold", 0.8, "value", 0.31, "passed", false),
        Map.of("rule", "rare-class ROC-AUC", "threshold", 0.8, "value", 0.9, "passed", true));
    training.recordValidation(run.id(), ClinicalValidation.of(rows, false,
        List.of("rare-class recall (95% CI lower bound) 0.31 < 0.80")));

    String html = runs.modelCardHtml(run.id()).orElseThrow();
    assertThat(html).doesNotContain(ModelCard.PENDING)
        .contains("Clinical validation: <span", "<td>0.310</td><td>0.800</td><td><b>FAIL</b></td>",
            "<li>rare-class recall (95% CI lower bound) 0.31 &lt; 0.80</li>", "Calibration of rare (held-out)");
    JsonNode card = MAPPER.readTree(runs.modelCardJson(run.id()).orElseThrow());
    assertThat(card.path("clinicalValidation").path("passed").asBoolean(true)).isFalse();
    assertThat(card.path("clinicalValidation").path("rules").size()).isEqualTo(2);
    assertThat(card.path("clinicalValidation").path("failures").get(0).asText()).contains("0.31 < 0.80");
    assertThat(card.path("calibration").path("after").has("calibrationSlope")).isTrue();
    // the rest of the metrics is kept
    JsonNode after = MAPPER.valueToTree(runs.find(run.id()).metrics());
    assertThat(after.path("clinicalValidation").path("passed").asBoolean(true)).isFalse();
    assertThat(after.path("calibration")).isEqualTo(metrics.path("calibration"));
  }

  @Test
  void aPassedValidationIsRecordedToo() throws Exception {
    TrainingRun run = training.train(snapshotId, "rare", "pi-2");
    training.evaluate(run.id());
    training.recordValidation(run.id(), ClinicalValidation.of(List.of(
        Map.of("rule", "rare-class ROC-AUC", "threshold", 0.8, "value", 0.93, "passed", true)), true, List.of()));
    assertThat(runs.modelCardHtml(run.id()).orElseThrow())
        .contains("<h2>Clinical validation: passed</h2>", "<td>0.930</td><td>0.800</td><td>pass</td>");
    JsonNode card = MAPPER.readTree(runs.modelCardJson(run.id()).orElseThrow());
    assertThat(card.path("clinicalValidation").path("passed").asBoolean()).isTrue();
  }

  @Test
  void theRunsModelIsStoredOnceInTheArtifactStoreUnderItsChecksumWithTheRunInItsProvenance() throws Exception {
    TrainingRun run = training.train(snapshotId, "rare", "pi-3");

    assertThat(run.modelUri()).endsWith("/models/sha256/" + run.modelSha256());
    byte[] bytes = runs.modelBytes(run.id());
    assertThat(Files.readAllBytes(Path.of(URI.create(run.modelUri())))).isEqualTo(bytes);
    assertThat(ArtifactStore.sha256(bytes)).isEqualTo(run.modelSha256());
    // the table keeps no copy of the bytes any more
    assertThat(jdbc.queryForList("SELECT column_name FROM information_schema.columns WHERE table_schema = 'medpipe'"
        + " AND table_name = 'training_run'", String.class)).contains("model_uri").doesNotContain("model");

    ModelProvenance.Run recorded = runs.model(run.id()).provenance().run();
    assertThat(recorded).isEqualTo(new ModelProvenance.Run(run.id().toString(), "pi-3", snapshotId.toString(),
        jdbc.queryForObject("SELECT content_hash FROM medpipe.dataset_snapshot WHERE id = ?", String.class,
            snapshotId),
        "abc123"));
    assertThat(((Map<?, ?>) ((Map<?, ?>) run.params().get("provenance")).get("run")).get("runId"))
        .isEqualTo(run.id().toString());

    // a changed artifact is refused on load
    Path file = Path.of(URI.create(run.modelUri()));
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> runs.model(run.id())).isInstanceOf(ArtifactStore.IntegrityException.class);
  }
}
