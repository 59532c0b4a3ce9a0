package dev.virft.cli;

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
    })
public final class Main implements Runnable {

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
    return new CommandLine(new Main()).execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
