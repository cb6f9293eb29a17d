package io.medpipe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.pipeline.ProcessConstants;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code medpipe monitor}: one drift monitor run on demand, started as the engine user (an operator) through the
 * monitoring process's MonitorRunRequested message, so it shows in Cockpit like a scheduled run; then followed to its
 * end and summarised with the policy's action and the report's address.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
    description = "Run the drift monitor once over the production prediction log and print what it found.")
final class MonitorCommand implements Callable<Integer> {

  @Mixin Connection connection;
  @Spec CommandSpec spec;

  @Option(names = "--model-version", paramLabel = "ID",
      description = "the version to check (default: production)") String modelVersion;

  @Option(names = "--last", paramLabel = "N",
      description = "the last N predictions (default: the configured window)") Integer last;

  @Option(names = "--from", paramLabel = "INSTANT", description = "window start, ISO-8601 (with --to)") Instant from;

  @Option(names = "--to", paramLabel = "INSTANT", description = "window end, ISO-8601 (with --from)") Instant to;

  @Option(names = "--timeout", defaultValue = "PT10M",
      description = "how long to wait for the run (default ${DEFAULT-VALUE})") Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    if (last != null && last < 2) {
      throw new ParameterException(spec.commandLine(), "--last must be at least 2");
    }
    if ((from == null) != (to == null) || last != null && from != null) {
      throw new ParameterException(spec.commandLine(), "give --last, or --from with --to");
    }
    if (from != null && !from.isBefore(to)) {
      throw new ParameterException(spec.commandLine(), "--to must be after --from");
    }
    EngineApi api = connection.api();
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put(ProcessConstants.VAR_REQUESTED_BY, Map.of("value", connection.user));
    variables.put(ProcessConstants.VAR_TRIGGER, Map.of("value", "manual"));
    if (modelVersion != null) {
      variables.put(ProcessConstants.VAR_MODEL_VERSION_ID, Map.of("value", modelVersion));
    }
    if (last != null) {
      variables.put(ProcessConstants.VAR_WINDOW_LAST, Map.of("value", last, "type", "Integer"));
    }
    if (from != null) {
      variables.put(ProcessConstants.VAR_WINDOW_FROM, Map.of("value", from.toString()));
      variables.put(ProcessConstants.VAR_WINDOW_TO, Map.of("value", to.toString()));
    }
    JsonNode started = api.post("/message", Map.of("messageName", ProcessConstants.MESSAGE_MONITOR_RUN_REQUESTED,
        "businessKey", "cli-monitor-" + System.currentTimeMillis(), "processVariables", variables,
        "resultEnabled", true));
    String id = started.path(0).path("processInstance").path("id").asText();
    PrintWriter out = spec.commandLine().getOut();
    out.println("started monitor run " + id);
    out.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode incidents = api.get("/incident?processInstanceId=" + id);
      if (incidents.size() > 0) {
        out.println("FAILED: " + incidents.get(0).path("incidentMessage").asText()
            + " (an incident in Cockpit: retry or cancel the run)");
        out.flush();
        return 1;
      }
      if (!api.get("/history/process-instance/" + id).path("endTime").isNull()) {
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode v : api.get("/history/variable-instance?processInstanceId=" + id)) {
          values.put(v.path("name").asText(), v.path("value").asText());
        }
        out.println(values.getOrDefault(ProcessConstants.VAR_MONITOR_SUMMARY, "(no summary)"));
        out.println("what follows: " + values.getOrDefault(ProcessConstants.VAR_MONITOR_ACTION, "?"));
        String report = values.get(ProcessConstants.VAR_DRIFT_REPORT_ID);
        if (report != null && !report.equals("null")) {
          out.println("drift report: " + connection.url.replaceAll("/+$", "") + "/api/v1/reports/" + report + ".html");
        }
        out.flush();
        return 0;
      }
      Thread.sleep(1000);
    }
    out.println("monitor run " + id + " has not ended after " + timeout);
    out.flush();
    return 1;
  }
}
