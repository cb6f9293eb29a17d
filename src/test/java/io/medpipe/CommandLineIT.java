package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.cli.MedpipeCli;
import io.medpipe.pipeline.ProcessConstants;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The command line against a running medpipe: start a run, list the tasks it waits on, follow its status. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@DirtiesContext
class CommandLineIT {

  static final int PORT = TestPorts.free();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    String dir = Files.createTempDirectory("medpipe-cli").toString();
    registry.add("server.port", () -> PORT);
    registry.add("medpipe.data-dir", () -> dir);
    // enough Fabry cases (25 held out) for the lower confidence bound of recall to clear 0.80
    registry.add("medpipe.cohort.patients", () -> 5000);
    registry.add("medpipe.cohort.fabry-prevalence", () -> 0.02);
  }

  @Autowired TaskService tasks;
  @Autowired HistoryService history;

  record Result(int exit, String out, String err) {}

  Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = MedpipeCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  String[] as(String user, String... command) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of("--url", "http://localhost:" + PORT, "--user", user, "--password", "demo"));
    return args.toArray(String[]::new);
  }

  @Test
  void startsARunListsItsTaskAndShowsItsSteps() throws Exception {
    Result started = cli(as("operator", "pipeline", "start", "--business-key", "cli-test"));
    assertThat(started.exit()).as(started.err()).isZero();
    assertThat(started.out()).startsWith("started run ");
    String run = started.out().split(" ")[2];

    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (tasks.createTaskQuery().taskDefinitionKey(ProcessConstants.TASK_MEDICAL_QA).count() == 0) {
      assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(run).finished().count())
          .as(() -> "the run ended before Medical QA: " + cli(as("operator", "pipeline", "status", run)).out())
          .isZero();
      assertThat(System.nanoTime()).as("waiting for Medical QA").isLessThan(deadline);
      Thread.sleep(500);
    }
    Result reviewerTasks = cli(as("reviewer", "tasks"));
    assertThat(reviewerTasks.exit()).isZero();
    assertThat(reviewerTasks.out()).contains("Medical QA review");
    assertThat(cli(as("scientist", "tasks")).out()).contains("no open tasks");

    Result status = cli(as("operator", "pipeline", "status", run));
    assertThat(status.exit()).isZero();
    assertThat(status.out()).contains("Train model", "Register model version").contains("waiting  Medical QA review");
    assertThat(cli(as("operator", "pipeline", "status")).out()).contains(run, "cli-test");
  }

  @Test
  void badUsageExitsTwoAndFailuresExitOneWithOneLine() {
    Result unknown = cli("pipeline", "launch");
    assertThat(unknown.exit()).isEqualTo(2);
    // devops: a wrong password delays that user's next login, so not a user the other test needs
    Result wrongPassword = cli("tasks", "--url", "http://localhost:" + PORT, "--user", "devops", "--password", "nope");
    assertThat(wrongPassword.exit()).isEqualTo(1);
    assertThat(wrongPassword.err().trim()).startsWith("medpipe: ").contains("401").doesNotContain("\n\tat ");
    Result unreachable = cli("tasks", "--url", "http://localhost:1", "--user", "operator", "--password", "demo");
    assertThat(unreachable.exit()).isEqualTo(1);
    assertThat(unreachable.err()).contains("cannot connect");
    Result help = cli("pipeline", "start", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--wait");
  }
}
