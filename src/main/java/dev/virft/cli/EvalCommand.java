package dev.virft.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code virft eval}: the paper's evaluations. Each subcommand scores existing outputs (a COCO
 * results file, classification responses, grounding responses); running a checkpoint to produce
 * them is a separate step that will feed the same scorers.
 */
@Command(
    name = "eval",
    description = "Score detections/answers as the original Visual-RFT evaluations do.",
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
