package io.medpipe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code medpipe tasks}: the open approval tasks the user may see. */
@Command(name = "tasks", mixinStandardHelpOptions = true,
    description = "List open user tasks (Medical QA reviews, production approvals) visible to the user.")
final class TasksCommand implements Callable<Integer> {

  @Mixin Connection connection;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    JsonNode tasks = connection.api().get("/task?sortBy=created&sortOrder=asc");
    var out = spec.commandLine().getOut();
    if (tasks.isEmpty()) {
      out.println("no open tasks for " + connection.user);
      return 0;
    }
    out.printf("%-36s  %-30s  %-20s  %s%n", "TASK", "NAME", "CREATED", "PROCESS INSTANCE");
    for (JsonNode t : tasks) {
      out.printf("%-36s  %-30s  %-20s  %s%n", t.path("id").asText(), t.path("name").asText(),
          t.path("created").asText().replaceAll("\\.\\d+.*$", ""), t.path("processInstanceId").asText());
    }
    out.flush();
    return 0;
  }
}
