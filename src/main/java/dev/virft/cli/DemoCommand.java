package dev.virft.cli;

import dev.virft.demo.DemoAssets;
import dev.virft.demo.DemoData;
import dev.virft.demo.DemoMetrics;
import dev.virft.demo.DemoRunner;
import dev.virft.demo.DemoSft;
import dev.virft.demo.DemoTokenizerBuilder;
import dev.virft.util.AtomicFiles;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code virft demo}: the built-in demo, and the commands that remake its files. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The built-in demo: the whole Visual-RFT loop on a tiny Qwen2-VL, on a laptop CPU.",
      "Evaluates the shipped base model on held-out synthetic detection images, fine-tunes it on a",
      "few-shot split with GRPO and with SFT, evaluates both, prints base/SFT/RFT metrics and writes",
      "OUTPUT/report.html."
    },
    subcommands = {DemoCommand.MakeAssets.class, DemoCommand.MakeBase.class})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--seed", description = "Seed of the few-shot and test splits and of training (default ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--steps", description = "GRPO steps (default 40; SFT takes as many).")
  Integer steps;

  @Option(names = "--quick", description = "A shortened demo (few steps, small test set), as CI runs it.")
  boolean quick;

  @Option(names = "--output", description = "Directory for report.html and the work files (default ${DEFAULT-VALUE}).")
  Path output = Path.of("demo");

  @Option(names = "--base", description = "Base checkpoint directory (default: the one shipped with virft).")
  Path base;

  @Override
  public Integer call() {
    DemoRunner.Settings s = DemoRunner.Settings.defaults();
    if (quick) s.quick();
    if (steps != null) {
      if (steps < 1) throw new VirftException("--steps: expected at least 1, got " + steps);
      s.grpoSteps = steps;
      s.sftSteps = steps;
    }
    s.seed = seed;
    s.output = output;
    s.base = base;
    DemoRunner.Outcome o = new DemoRunner(s, System.out).run();
    for (DemoMetrics m : o.metrics()) {
      if (!m.allFinite()) {
        System.err.println("error: non-finite metric in row " + m.model());
        return 1;
      }
    }
    return 0;
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

  /** Trains the shipped base checkpoint: the assets, random init, SFT on the base split. */
  @Command(
      name = "make-base",
      mixinStandardHelpOptions = true,
      description =
          "Remake the demo's base checkpoint: write the assets, initialise the tiny Qwen2-VL at random"
              + " and fine-tune it (SFT) on synthetic rows of a seed the demo never uses; writes the"
              + " checkpoint into DIR.")
  static final class MakeBase implements Callable<Integer> {
    @Option(names = "--output", required = true, description = "Checkpoint directory to write.")
    Path output;

    @Option(names = "--rows", description = "Synthetic training rows (default ${DEFAULT-VALUE}).")
    int rows = 2000;

    @Option(names = "--steps", description = "SFT steps (default ${DEFAULT-VALUE}).")
    int steps = 300;

    @Option(names = "--batch", description = "Rows per step (default ${DEFAULT-VALUE}).")
    int batch = 8;

    @Option(names = "--learning-rate", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr = 3e-3;

    @Option(names = "--seed", description = "Initialisation and data-order seed (default ${DEFAULT-VALUE}).")
    long seed = 7;

    @Option(names = "--work", description = "Scratch directory (default: OUTPUT.work).")
    Path work;

    @Override
    public Integer call() throws IOException {
      Path scratch = work != null ? work : Path.of(output + ".work");
      Path assets = scratch.resolve("assets");
      Files.createDirectories(assets);
      DemoAssets.writeAll(assets);
      Path trained =
          DemoSft.train(assets, DemoData.baseTraining(rows), scratch.resolve("sft"), steps, lr, batch, seed, System.out);
      AtomicFiles.writeDirectory(
          output,
          dir -> {
            try (Stream<Path> files = Files.list(trained)) {
              for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, dir.resolve(f.getFileName()));
            }
          });
      System.out.println("wrote the base checkpoint to " + output);
      return 0;
    }
  }
}
