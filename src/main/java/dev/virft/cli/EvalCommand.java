package dev.virft.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code virft eval}: the paper's evaluations. Each subcommand scores existing outputs (a COCO
 * results file, classification responses, grounding responses) or, with {@code --model}, first
 * produces them by running a checkpoint with the original's evaluation prompts.
 */
@Command(
    name = "eval",
    description = "Run a checkpoint (--model) and/or score its detections/answers as the original Visual-RFT evaluations do.",
    subcommands = {
      EvalCocoCommand.class,
      EvalLvisCommand.class,
      EvalClassificationCommand.class,
      EvalGroundingCommand.class,
    })
public final class EvalCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
