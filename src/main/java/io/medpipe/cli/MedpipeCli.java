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
    description = "Drive and inspect a running medpipe from a terminal or a CI job.",
    subcommands = {PipelineCommand.class, TasksCommand.class})
public final class MedpipeCli {

  /** The first arguments that select the command line instead of starting the server. */
  public static final Set<String> COMMANDS = Set.of("pipeline", "tasks", "--help", "-h", "--version", "-V");

  public static boolean isCommand(String[] args) {
    return args.length > 0 && COMMANDS.contains(args[0]);
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new MedpipeCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("medpipe: " + (e instanceof EngineApi.Failure ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage()));
      commandLine.getErr().flush();
      return 1;
    });
    return cli.execute(args);
  }

  public static void main(String[] args) {
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
