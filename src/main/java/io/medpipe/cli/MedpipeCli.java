package io.medpipe.cli;

import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * medpipe's command line: the same jar, a command as the first argument ({@code java -jar medpipe.jar tasks}, or
 * {@code bin/medpipe tasks}). Exit codes: 0 success, 1 failure, 2 bad usage; errors are one line, never a trace.
 */
@Command(name = "medpipe", mixinStandardHelpOptions = true, versionProvider = MedpipeCli.Version.class,
    description = "Evaluate medpipe's training on any CSV, import data into the EHR, drive and inspect a "
        + "running medpipe from a terminal or a CI job, run its drift monitor and replay drift scenarios.",
    subcommands = {EvaluateCommand.class, ImportCommand.class, PipelineCommand.class, TasksCommand.class,
        MonitorCommand.class, ScenarioCommand.class})
public final class MedpipeCli {

  /** The first arguments that select the command line instead of starting the server. */
  public static final Set<String> COMMANDS = Set.of("evaluate", "import", "pipeline", "tasks", "monitor", "scenario",
      "--help", "-h", "--version", "-V");

  public static boolean isCommand(String[] args) {
    return args.length > 0 && COMMANDS.contains(args[0]);
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new MedpipeCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((e, args1) -> {
      // one line, and where to look, instead of the whole usage
      CommandLine c = e.getCommandLine();
      c.getErr().println("medpipe: " + e.getMessage() + " (see: " + c.getCommandSpec().qualifiedName() + " --help)");
      c.getErr().flush();
      return 2;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean badInput = e instanceof io.medpipe.training.CsvDataset.Invalid
          || e instanceof io.medpipe.ehr.ImportException || e instanceof io.medpipe.dataset.TabularFile.Invalid;
      String message = e instanceof io.medpipe.ehr.ImportException ie ? String.join("; ", ie.problems())
          : e instanceof io.medpipe.dataset.TabularFile.Invalid ti ? String.join("; ", ti.problems())
          : badInput || e instanceof EngineApi.Failure ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      commandLine.getErr().println("medpipe: " + message);
      commandLine.getErr().flush();
      return badInput ? 2 : 1;
    });
    return cli.execute(args);
  }

  public static void main(String[] args) {
    // outside Spring, logback's default would print every tree Smile grows at INFO onto the command's output
    if (org.slf4j.LoggerFactory
        .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.WARN);
    }
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = MedpipeCli.class.getPackage().getImplementationVersion();
      return new String[] {"medpipe " + (v == null ? "(development build)" : v)};
    }
  }
}
