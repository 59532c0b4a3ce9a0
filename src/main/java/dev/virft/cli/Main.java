package dev.virft.cli;

import dev.virft.tensor.CpuThreads;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code virft} command line; one subcommand class per verb. */
@Command(
    name = "virft",
    mixinStandardHelpOptions = true,
    // --help and --version on every verb and sub-verb (virft data --help, virft bench grpo --help).
    scope = CommandLine.ScopeType.INHERIT,
    version = "virft 0.1.0",
    description = "Visual Reinforcement Fine-Tuning (Visual-RFT) on the JVM.",
    subcommands = {
      CommandLine.HelpCommand.class,
      BenchCommand.class,
      DemoCommand.class,
      TrainCommand.class,
      SftCommand.class,
      ParityCommand.class,
      DataCommand.class,
      ScoreCommand.class,
      EvalCommand.class,
      InferCommand.class,
      LoraCommand.class,
    })
public final class Main implements Runnable {
  /** Every verb takes {@code --threads N} (inherited by the subcommands); see {@link CpuThreads}. */
  @CommandLine.Option(names = "--threads", scope = CommandLine.ScopeType.INHERIT, paramLabel = "N",
      description = "CPU threads for libtorch and OpenBLAS (default: libtorch 1 below 200 M parameters, OpenBLAS 1 below 5 M, else every core).")
  void setThreads(Integer n) {
    if (n != null) { // picocli may reset the option to its (absent) initial value
      CpuThreads.request(n);
    }
  }

  static {
    // The HF tokenizers binding must never phone home; set before its first use.
    System.setProperty("OPT_OUT_TRACKING", "true");
    System.setProperty("ai.djl.offline", "true");
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Exit code of a failure the user can mend (input files, options, output places, configs). */
  public static final int USER_ERROR = 2;

  /** Exit code of a bug in virft (printed with its stack trace). */
  public static final int INTERNAL_ERROR = 1;

  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> ErrorReport.report(ex, cmd.getErr()));
    // A mistyped or missing option is one line too, pointing at the verb's help instead of printing it.
    cl.setParameterExceptionHandler((ex, args1) -> {
      CommandLine c = ex.getCommandLine();
      c.getErr().println("error: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
      c.getErr().flush();
      return USER_ERROR;
    });
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError | StackOverflowError e) {
      // picocli passes only Exceptions to the handler; these surface here.
      return ErrorReport.report(e, cl.getErr());
    }
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
