package dev.virft.cli;

import dev.virft.demo.DemoAssets;
import dev.virft.demo.DemoTokenizerBuilder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code virft demo}: the built-in demo, and the commands that remake its files. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "The built-in demo: the whole Visual-RFT loop on a tiny model, on a laptop CPU.",
    subcommands = {DemoCommand.MakeAssets.class})
public final class DemoCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Writes the demo tokenizer and tiny model config (no weights); deterministic. */
  @Command(
      name = "make-assets",
      mixinStandardHelpOptions = true,
      description =
          "Write the demo tokenizer (tokenizer.json, tokenizer_config.json) and the tiny Qwen2-VL's"
              + " config.json, generation_config.json and preprocessor_config.json into DIR.")
  static final class MakeAssets implements Callable<Integer> {
    @Option(names = "--output", required = true, description = "Directory to write into.")
    Path output;

    @Override
    public Integer call() {
      DemoTokenizerBuilder.TokenIds ids = DemoAssets.writeAll(output);
      System.out.printf(
          "wrote %s: tokenizer with %d tokens (image pad id %d, eos id %d), tiny Qwen2-VL config%n",
          output, ids.vocabSize(), ids.imagePad(), ids.imEnd());
      return 0;
    }
  }
}
