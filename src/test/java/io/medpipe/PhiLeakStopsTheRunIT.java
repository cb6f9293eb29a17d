package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.pipeline.ProcessConstants;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.Incident;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A patient's name written where it must not be (here: a report stored before the run) makes the phi-scan step
 * fail: the run stops before training with an incident whose message says what kind of identifier leaked where and
 * what the operator does about it, without repeating it; and the operator can cancel the stopped run (issue 11,
 * item 5).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class PhiLeakStopsTheRunIT {

  static final int PORT = TestPorts.free();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    String dir = Files.createTempDirectory("medpipe-leak").toString();
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", () -> dir);
    registry.add("medpipe.cohort.patients", () -> 500);
    registry.add("medpipe.worker.retries", () -> 0);
    registry.add("medpipe.worker.retry-delay", () -> "PT1S");
  }

  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired JdbcTemplate jdbc;

  @Test
  void aLeakedNameStopsTheRunWithAReadableIncident() throws Exception {
    Map<String, Object> patient = jdbc
        .queryForMap("SELECT given_name, family_name FROM ehr.patient ORDER BY id LIMIT 1");
    String name = patient.get("given_name") + " " + patient.get("family_name");
    jdbc.update("INSERT INTO medpipe.report (id, kind, body) VALUES (gen_random_uuid(), 'note', ?::jsonb)",
        "{\"comment\": \"called back " + name.toUpperCase() + "\"}");
    String pipeline = runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_PIPELINE, "leak-test").getId();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    Incident incident = null;
    while (incident == null && System.nanoTime() < deadline) {
      incident = runtime.createIncidentQuery().activityId(ProcessConstants.TOPIC_PHI_SCAN).singleResult();
      Thread.sleep(300);
    }
    assertThat(incident).as("an incident at phi-scan within 3 minutes").isNotNull();
    assertThat(incident.getIncidentMessage()).startsWith("PHI leak: 1 finding(s)").contains("NAME in report")
        .contains("What to do: a report: redact it or delete it (medpipe.report)")
        .contains("retry this step", "or cancel the run")
        .doesNotContainIgnoringCase((String) patient.get("family_name"))
        .doesNotContainIgnoringCase((String) patient.get("given_name"));
    assertThat(history.createHistoricActivityInstanceQuery().activityId(ProcessConstants.TOPIC_TRAIN_MODEL).count())
        .as("training never started").isZero();

    // the operator cancels the stopped run over the engine REST API, as Cockpit does
    EngineRest rest = new EngineRest(PORT);
    assertThat(rest.delete("scientist", "/engine-rest/process-instance/" + pipeline).status()).isEqualTo(403);
    assertThat(rest.delete("operator", "/engine-rest/process-instance/" + pipeline).status()).isEqualTo(204);
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(pipeline).finished().count())
        .isEqualTo(1);
  }
}
