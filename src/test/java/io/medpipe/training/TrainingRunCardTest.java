package io.medpipe.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.system.Json;
import io.medpipe.system.MedpipeProperties;
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
  static UUID snapshotId;

  @BeforeAll
  static void database() {
    jdbc = new JdbcTemplate(TestDatabase.freshDatabase());
    Json json = new Json(MAPPER);
    SnapshotStore snapshots = new SnapshotStore(jdbc, json);
    FeatureTable data = ClassifierModelTest.synthetic(600, 3);
    List<SnapshotStore.Row> rows = new ArrayList<>();
    for (int i = 0; i < data.rows(); i++) {
      rows.add(new SnapshotStore.Row("p-" + i, data.x()[i], data.classes().get(data.y()[i])));
    }
    Snapshot snapshot = snapshots.create(data.features(), rows, "spec", "pi-1");
    snapshotId = snapshot.id();
    MedpipeProperties.Training settings = new MedpipeProperties.Training(42, 30, 0.25, 19, "platt");
    training = new TrainingService(snapshots, jdbc, json,
        new MedpipeProperties("./data", null, null, null, null, null, settings, null, null, null));
  }

  @Test
  void evaluationStoresCalibrationBeforeAndAfterAndTheValidationIsAddedToTheCardForAFail() throws Exception {
    TrainingRun run = training.train(snapshotId, "rare", "pi-1");
    assertThat(((Map<?, ?>) ((Map<?, ?>) run.params().get("provenance")).get("calibration")).get("method"))
        .isEqualTo("platt");
    assertThatThrownBy(() -> training.recordValidation(run.id(), ClinicalValidation.of(List.of(), false, List.of())))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not evaluated");

    training.evaluate(run.id());
    JsonNode metrics = MAPPER.valueToTree(training.find(run.id()).metrics());
    assertThat(metrics.path("decision").asText()).endsWith(" on calibrated probabilities");
    assertThat(metrics.path("calibration").path("before").has("brier")).isTrue();
    assertThat(metrics.path("calibration").path("after").path("reliability").size()).isPositive();
    assertThat(training.modelCardHtml(run.id()).orElseThrow()).contains(ModelCard.PENDING);

    List<Map<String, Object>> rows = List.of(
        Map.of("rule", "rare-class recall (95% CI lower bound)", "threshold", 0.8, "value", 0.31, "passed", false),
        Map.of("rule", "rare-class ROC-AUC", "threshold", 0.8, "value", 0.9, "passed", true));
    training.recordValidation(run.id(), ClinicalValidation.of(rows, false,
        List.of("rare-class recall (95% CI lower bound) 0.31 < 0.80")));

    String html = training.modelCardHtml(run.id()).orElseThrow();
    assertThat(html).doesNotContain(ModelCard.PENDING)
        .contains("Clinical validation: <span", "<td>0.310</td><td>0.800</td><td><b>FAIL</b></td>",
            "<li>rare-class recall (95% CI lower bound) 0.31 &lt; 0.80</li>", "Calibration of rare (held-out)");
    JsonNode card = MAPPER.readTree(training.modelCardJson(run.id()).orElseThrow());
    assertThat(card.path("clinicalValidation").path("passed").asBoolean(true)).isFalse();
    assertThat(card.path("clinicalValidation").path("rules").size()).isEqualTo(2);
    assertThat(card.path("clinicalValidation").path("failures").get(0).asText()).contains("0.31 < 0.80");
    assertThat(card.path("calibration").path("after").has("calibrationSlope")).isTrue();
    // the rest of the metrics is kept
    JsonNode after = MAPPER.valueToTree(training.find(run.id()).metrics());
    assertThat(after.path("clinicalValidation").path("passed").asBoolean(true)).isFalse();
    assertThat(after.path("calibration")).isEqualTo(metrics.path("calibration"));
  }

  @Test
  void aPassedValidationIsRecordedToo() throws Exception {
    TrainingRun run = training.train(snapshotId, "rare", "pi-2");
    training.evaluate(run.id());
    training.recordValidation(run.id(), ClinicalValidation.of(List.of(
        Map.of("rule", "rare-class ROC-AUC", "threshold", 0.8, "value", 0.93, "passed", true)), true, List.of()));
    assertThat(training.modelCardHtml(run.id()).orElseThrow())
        .contains("<h2>Clinical validation: passed</h2>", "<td>0.930</td><td>0.800</td><td>pass</td>");
    JsonNode card = MAPPER.readTree(training.modelCardJson(run.id()).orElseThrow());
    assertThat(card.path("clinicalValidation").path("passed").asBoolean()).isTrue();
  }
}
