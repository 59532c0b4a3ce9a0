package dev.virft.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Benchmarks: each subcommand measures one thing and prints the numbers with the machine. */
@Command(
    name = "bench",
    description = "Benchmarks (not tests): generation, rewards, GRPO step, evaluation.",
    subcommands = {
      BenchGenerateCommand.class,
      dev.virft.tools.VisionBenchCommand.class,
      BenchGrpoCommand.class,
      DataBenchCommand.class,
      BenchRewardsCommand.class,
      BenchEvalCommand.class,
      BenchLoadCommand.class,
    })
public final class BenchCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
