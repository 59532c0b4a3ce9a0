package dev.virft.cli;

import dev.virft.tensor.CpuThreads;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code virft} command line; one subcommand class per verb. */
@Command(
    name = "virft",
    mixinStandardHelpOptions = true,
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
      description = "CPU threads for libtorch (default: 1 for models under 200 M parameters, else every core).")
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

  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new Main());
    // User errors (bad files, fields) are one line, not a stack trace.
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof dev.virft.util.VirftException) {
            cmd.getErr().println("error: " + ex.getMessage());
            return 2;
          }
          throw ex;
        });
    return cl.execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
