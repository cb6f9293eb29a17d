package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.pipeline.ProcessConstants;
import io.medpipe.privacy.PhiScanService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A user's own data: the UCI hepatitis export is imported on start-up (medpipe.import.file + mapping, no synthetic
 * cohort), the extraction spec is the hepatitis spec (medpipe.extraction.spec), and the pipeline's Develop stage
 * runs on it end to end: extract, pseudonymise, EDA, leak scan, train, evaluate, clinical validation.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class ImportedDatasetPipelineIT {

  static final int PORT = TestPorts.free();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    Path dir = Files.createTempDirectory("medpipe-import");
    Path data = dir.resolve("hepatitis.csv");
    Path mapping = dir.resolve("hepatitis-mapping.json");
    Path spec = dir.resolve("hepatitis-spec.json");
    for (var e : Map.of(data, "data/hepatitis/hepatitis.csv", mapping, "data/hepatitis/mapping.json",
        spec, "data/hepatitis/spec.json").entrySet()) {
      try (var in = new ClassPathResource(e.getValue()).getInputStream()) {
        Files.write(e.getKey(), in.readAllBytes());
      }
    }
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", dir::toString);
    registry.add("medpipe.cohort.enabled", () -> false);
    registry.add("medpipe.import.file", data::toString);
    registry.add("medpipe.import.mapping", mapping::toString);
    registry.add("medpipe.extraction.spec", () -> "file:" + spec);
    registry.add("medpipe.training.trees", () -> 100);
  }

  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired JdbcTemplate jdbc;
  @Autowired PhiScanService phiScan;

  @Test
  void developStageRunsOnTheImportedHepatitisSet() throws Exception {
    assertThat(jdbc.queryForObject("SELECT count(*) FROM ehr.patient", Integer.class)).isEqualTo(155);
    String pipeline = runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_PIPELINE, "imported-hepatitis",
        Map.of(ProcessConstants.VAR_TRIGGER, "manual")).getId();
    HistoricProcessInstance develop = awaitDevelopEnd(pipeline, Duration.ofMinutes(4));
    for (String step : List.of("extract-data", "pseudonymize", "eda", "phi-scan", "train-model", "evaluate-model",
        "validate-clinical-thresholds", "record-validation")) {
      assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(develop.getId()).activityId(step)
          .finished().count()).as(step).isEqualTo(1);
    }
    Map<String, Object> snapshot = jdbc.queryForMap("SELECT row_count, class_counts::text AS counts"
        + " FROM medpipe.dataset_snapshot ORDER BY created_at DESC LIMIT 1");
    assertThat(snapshot.get("row_count")).isEqualTo(155);
    assertThat((String) snapshot.get("counts")).contains("\"die\": 32").contains("\"live\": 123");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM medpipe.report WHERE kind = 'eda' AND html LIKE '%<svg%'",
        Integer.class)).isEqualTo(1);
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(develop.getId())
        .variableName(ProcessConstants.VAR_MINORITY_COUNT).singleResult().getValue()).isEqualTo(32);
    assertThat(phiScan.scanAll().leaks()).isEmpty();
    // the card lists the clinical validation as the process decided it, pass or fail, with the reasons
    Object passed = history.createHistoricVariableInstanceQuery().processInstanceId(develop.getId())
        .variableName(ProcessConstants.VAR_VALIDATION_PASSED).singleResult().getValue();
    Map<String, Object> card = jdbc.queryForMap("SELECT model_card_html, model_card_json::text AS model_card_json"
        + " FROM medpipe.training_run ORDER BY created_at DESC LIMIT 1");
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree((String) card.get("model_card_json"));
    assertThat(json.path("clinicalValidation").path("passed").asBoolean()).isEqualTo(passed);
    // recall, AUPRC, ROC-AUC and the false-alarm burden (precision)
    assertThat(json.path("clinicalValidation").path("rules").size()).isEqualTo(4);
    assertThat(json.path("calibration").path("before").has("brier")).isTrue();
    assertThat((String) card.get("model_card_html")).contains("Clinical validation: ")
        .doesNotContain("pending: the decision clinical-validation");
    if (Boolean.FALSE.equals(passed)) {
      assertThat(json.path("clinicalValidation").path("failures").size()).isPositive();
      assertThat((String) card.get("model_card_html")).contains("Reasons the model was rejected");
    }
    runtime.deleteProcessInstanceIfExists(pipeline, "test over", true, true, true, false);
  }

  private HistoricProcessInstance awaitDevelopEnd(String pipeline, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      var incidents = history.createHistoricIncidentQuery().open().list();
      assertThat(incidents).as(() -> incidents.stream().map(i -> i.getActivityId() + ": " + i.getIncidentMessage())
          .toList().toString()).isEmpty();
      HistoricProcessInstance develop = history.createHistoricProcessInstanceQuery().superProcessInstanceId(pipeline)
          .processDefinitionKey(ProcessConstants.PROCESS_DEVELOP).finished().singleResult();
      if (develop != null) {
        return develop;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the Develop stage did not end within " + timeout);
  }
}
