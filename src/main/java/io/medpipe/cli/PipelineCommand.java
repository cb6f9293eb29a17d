package io.medpipe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.pipeline.ProcessConstants;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code medpipe pipeline start|status}: start runs and follow them. */
@Command(name = "pipeline", mixinStandardHelpOptions = true, description = "Start and follow MLOps pipeline runs.",
    subcommands = {PipelineCommand.Start.class, PipelineCommand.Status.class})
final class PipelineCommand {

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start a pipeline run by hand; with --wait follow it until it ends.")
  static final class Start implements Callable<Integer> {

    @Mixin Connection connection;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--business-key",
        description = "a key naming the run: lower-case words joined by hyphens (default: cli-<random id>)") String businessKey;

    @Option(names = "--wait",
        description = "follow the run until it ends; exit 0 only if it ends deployed") boolean await;

    @Option(names = "--timeout", defaultValue = "PT2H",
        description = "how long --wait waits (ISO-8601, default ${DEFAULT-VALUE})") Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
      EngineApi api = connection.api();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("businessKey", businessKey != null ? businessKey : "cli-" + java.util.UUID.randomUUID());
      JsonNode started = api.post("/process-definition/key/" + ProcessConstants.PROCESS_PIPELINE + "/start", body);
      String id = started.path("id").asText();
      PrintWriter out = spec.commandLine().getOut();
      out.println("started run " + id + " (business key " + body.get("businessKey") + ")");
      out.flush();
      return await ? Status.follow(api, id, timeout, out) : 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Without RUN: the latest runs. With RUN: where that run is, its steps and incidents.")
  static final class Status implements Callable<Integer> {

    @Mixin Connection connection;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "RUN", description = "a run's process instance id") String run;

    @Option(names = "--limit", defaultValue = "10",
        description = "how many runs to list (default ${DEFAULT-VALUE})") int limit;

    @Override
    public Integer call() {
      EngineApi api = connection.api();
      PrintWriter out = spec.commandLine().getOut();
      if (run == null) {
        JsonNode runs = api.get("/history/process-instance?processDefinitionKey=" + ProcessConstants.PROCESS_PIPELINE
            + "&sortBy=startTime&sortOrder=desc&maxResults=" + limit);
        out.printf("%-36s  %-26s  %-10s  %-20s  %s%n", "RUN", "BUSINESS KEY", "STATE", "STARTED", "ENDED AT");
        for (JsonNode r : runs) {
          out.printf("%-36s  %-26s  %-10s  %-20s  %s%n", r.path("id").asText(), r.path("businessKey").asText(),
              r.path("state").asText(), r.path("startTime").asText().replaceAll("\\.\\d+.*$", ""),
              endName(api, r.path("id").asText()));
        }
        out.flush();
        return 0;
      }
      describe(api, run, out);
      return 0;
    }

    /** Prints the run's state; returns the name of the end event it reached, or null while it runs. */
    static String describe(EngineApi api, String id, PrintWriter out) {
      JsonNode run = api.get("/history/process-instance/" + id);
      out.println(
          "run " + id + "  " + run.path("state").asText() + "  business key " + run.path("businessKey").asText());
      JsonNode steps = api.get("/history/activity-instance?rootProcessInstanceId=" + id
          + "&sortBy=startTime&sortOrder=asc");
      for (JsonNode s : steps) {
        String type = s.path("activityType").asText();
        if (type.endsWith("Gateway") || type.equals("callActivity") || s.path("activityName").asText().isEmpty()) {
          continue;
        }
        out.printf("  %-8s %s%n", s.path("endTime").isNull() ? "waiting" : "done", s.path("activityName").asText());
      }
      for (JsonNode incident : api.get("/incident?processInstanceId=" + id)) {
        out.println(
            "  INCIDENT " + incident.path("activityId").asText() + ": " + incident.path("incidentMessage").asText());
      }
      for (JsonNode sub : api.get("/process-instance?superProcessInstance=" + id)) {
        for (JsonNode incident : api.get("/incident?processInstanceId=" + sub.path("id").asText())) {
          out.println(
              "  INCIDENT " + incident.path("activityId").asText() + ": " + incident.path("incidentMessage").asText());
        }
      }
      String end = endName(api, id);
      if (end != null) {
        out.println("ended: " + end);
      }
      out.flush();
      return end;
    }

    static String endName(EngineApi api, String id) {
      for (JsonNode a : api.get("/history/activity-instance?processInstanceId=" + id + "&activityType=noneEndEvent")) {
        return a.path("activityName").asText();
      }
      return null;
    }

    static int follow(EngineApi api, String id, Duration timeout, PrintWriter out) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      String lastTasks = "";
      while (System.nanoTime() < deadline) {
        JsonNode run = api.get("/history/process-instance/" + id);
        if (!run.path("endTime").isNull()) {
          String end = describe(api, id, out);
          return "Deployed".equals(end) ? 0 : 1;
        }
        StringBuilder waiting = new StringBuilder();
        for (JsonNode t : api.get("/history/task?rootProcessInstanceId=" + id + "&unfinished=true")) {
          waiting.append(t.path("name").asText()).append(' ');
        }
        if (!waiting.toString().equals(lastTasks) && !waiting.isEmpty()) {
          out.println("waiting for: " + waiting.toString().trim());
          out.flush();
        }
        lastTasks = waiting.toString();
        Thread.sleep(2000);
      }
      out.println("run " + id + " has not ended after " + timeout);
      out.flush();
      return 1;
    }
  }
}
