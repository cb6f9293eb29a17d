package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.pipeline.ProcessConstants;
import io.medpipe.system.EmbeddedDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricExternalTaskLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The scale-out role: this JVM hosts the engine and the API with its own workers switched off; a second JVM
 * started from the built jar with the {@code worker} profile does the Develop and Staging work over the engine's
 * REST API, as a worker node would in production.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
// Camunda keeps engines in a JVM-wide registry by name: a cached context would keep answering for "default"
@DirtiesContext
class WorkerOnlyRoleIT {

  static final int PORT = TestPorts.free();
  static final String WORKER_PASSWORD = "worker-only-test-password";
  static final String PSEUDONYM_KEY = "worker-only-test-pseudonym-key";
  static final String WORKER_ID = "remote-worker-1";
  static final String SERVICE_KEY = "worker-only-test-service-key";
  static Path dir;
  static Process worker;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    dir = Files.createTempDirectory("medpipe-worker-role");
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", () -> dir.toString());
    registry.add("medpipe.artifacts.dir", () -> dir.resolve("artifacts").toString());
    registry.add("medpipe.worker.enabled", () -> false);
    registry.add("medpipe.worker.password", () -> WORKER_PASSWORD);
    registry.add("medpipe.privacy.pseudonym-key", () -> PSEUDONYM_KEY);
    registry.add("medpipe.api.service-key", () -> SERVICE_KEY);
    registry.add("medpipe.cohort.patients", () -> 5000);
    registry.add("medpipe.cohort.fabry-prevalence", () -> 0.02);
  }

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired EmbeddedDatabase database;

  @AfterAll
  static void stopWorker() throws Exception {
    if (worker != null) {
      worker.destroy();
      worker.waitFor();
    }
  }

  @Test
  void aWorkerOnlyProcessCompletesTheEnginesTasks() throws Exception {
    worker = startWorkerJvm();
    String id = runtime.startProcessInstanceByKey(ProcessConstants.PROCESS_PIPELINE, "worker-role-test").getId();

    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (tasks.createTaskQuery().taskDefinitionKey(ProcessConstants.TASK_MEDICAL_QA).count() == 0) {
      assertThat(worker.isAlive()).as("worker JVM exited, see " + dir.resolve("worker.log")).isTrue();
      assertThat(history.createHistoricIncidentQuery().open().count()).as("incidents").isZero();
      assertThat(System.nanoTime()).as("waiting for the Medical QA task").isLessThan(deadline);
      Thread.sleep(500);
    }

    List<HistoricExternalTaskLog> done = history.createHistoricExternalTaskLogQuery().successLog().list();
    assertThat(done).extracting(HistoricExternalTaskLog::getTopicName).contains(
        ProcessConstants.TOPIC_EXTRACT_DATA, ProcessConstants.TOPIC_PSEUDONYMIZE, ProcessConstants.TOPIC_EDA,
        ProcessConstants.TOPIC_TRAIN_MODEL, ProcessConstants.TOPIC_EVALUATE_MODEL,
        ProcessConstants.TOPIC_RECORD_VALIDATION, ProcessConstants.TOPIC_REGISTER_MODEL,
        ProcessConstants.TOPIC_DEPLOY_STAGING,
        ProcessConstants.TOPIC_STAGING_TESTS, ProcessConstants.TOPIC_COMPARE_CHAMPION);
    assertThat(done).extracting(HistoricExternalTaskLog::getWorkerId).containsOnly(WORKER_ID);
    assertThat(history.createHistoricProcessInstanceQuery().superProcessInstanceId(id).count()).isEqualTo(2);
  }

  private Process startWorkerJvm() throws Exception {
    File jar = new File("target/medpipe.jar");
    assertThat(jar).as("the packaged jar (failsafe runs after package)").exists();
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-jar", jar.getAbsolutePath());
    Map<String, String> env = pb.environment();
    env.put("SPRING_PROFILES_ACTIVE", "worker");
    env.put("MEDPIPE_PORT", String.valueOf(TestPorts.free()));
    env.put("MEDPIPE_MANAGEMENT_PORT", String.valueOf(TestPorts.free()));
    env.put("MEDPIPE_ENGINE_URL", "http://localhost:" + PORT + "/engine-rest");
    env.put("MEDPIPE_SERVING_URL", "http://localhost:" + PORT);
    env.put("MEDPIPE_DB_URL", database.jdbcUrl());
    env.put("MEDPIPE_DB_USER", "postgres");
    env.put("MEDPIPE_DB_PASSWORD", database.password());
    env.put("MEDPIPE_WORKER_PASSWORD", WORKER_PASSWORD);
    env.put("MEDPIPE_PSEUDONYM_KEY", PSEUDONYM_KEY);
    env.put("MEDPIPE_WORKER_ID", WORKER_ID);
    env.put("MEDPIPE_API_SERVICE_KEY", SERVICE_KEY);
    env.put("MEDPIPE_DATA_DIR", dir.resolve("worker").toString());
    env.put("MEDPIPE_ARTIFACT_DIR", dir.resolve("artifacts").toString());
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile());
    return pb.start();
  }
}
