package dev.virft.cli;

import dev.virft.demo.DemoAssets;
import dev.virft.demo.DemoBaseCheckpoint;
import dev.virft.data.Sample;
import dev.virft.demo.DemoData;
import dev.virft.demo.DemoEvaluator;
import dev.virft.demo.DemoMetrics;
import dev.virft.demo.DemoRunner;
import dev.virft.demo.DemoSft;
import dev.virft.demo.DemoTokenizerBuilder;
import dev.virft.util.AtomicFiles;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    subcommands = {DemoCommand.MakeAssets.class, DemoCommand.MakeBase.class, DemoCommand.Validate.class})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--seed", description = "Seed of the few-shot and test splits and of training (default ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--steps", description = "GRPO steps (default 100; SFT takes as many).")
  Integer steps;

  @Option(names = "--quick", description = "A shortened demo (few steps, small test set), as CI runs it.")
  boolean quick;

  @Option(names = "--output", description = "Directory for report.html and the work files (default ${DEFAULT-VALUE}).")
  Path output = Path.of("demo");

  @Option(names = "--base", description = "Base checkpoint directory (default: the one shipped with virft).")
  Path base;

  @Option(
      names = "--validation",
      description =
          "Evaluate on the validation split instead of the test split (to choose settings without"
              + " looking at the test rows).")
  boolean validation;

  @Option(names = "--grpo-learning-rate", description = "GRPO peak learning rate (default 5e-5).")
  Double grpoLr;

  @Option(names = "--sft-learning-rate", description = "SFT peak learning rate (default 5e-5).")
  Double sftLr;

  @Option(names = "--beta", description = "GRPO KL coefficient (default 0.04).")
  Double beta;

  @Option(names = "--num-generations", description = "GRPO samples per prompt (default 8).")
  Integer numGenerations;

  @Option(names = "--temperature", description = "GRPO sampling temperature (default 1.0).")
  Double temperature;

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
    s.onValidation = validation;
    if (grpoLr != null) s.grpoLearningRate = positive(grpoLr, "--grpo-learning-rate");
    if (sftLr != null) s.sftLearningRate = positive(sftLr, "--sft-learning-rate");
    if (beta != null) {
      if (!(beta >= 0)) throw new VirftException("--beta: expected a number >= 0, got " + beta);
      s.beta = beta;
    }
    if (numGenerations != null) {
      if (numGenerations < 2) throw new VirftException("--num-generations: expected at least 2, got " + numGenerations);
      s.numGenerations = numGenerations;
    }
    if (temperature != null) s.temperature = positive(temperature, "--temperature");
    DemoRunner.Outcome o = new DemoRunner(s, System.out).run();
    for (DemoMetrics m : o.metrics()) {
      if (!m.allFinite()) {
        System.err.println("error: non-finite metric in row " + m.model());
        return 1;
      }
    }
    return 0;
  }

  private static double positive(double v, String option) {
    if (!(v > 0) || Double.isInfinite(v)) throw new VirftException(option + ": expected a positive number, got " + v);
    return v;
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
    int rows = 8000;

    @Option(names = "--steps", description = "SFT steps (default ${DEFAULT-VALUE}).")
    int steps = 2000;

    @Option(names = "--batch", description = "Rows per step (default ${DEFAULT-VALUE}).")
    int batch = 8;

    @Option(names = "--learning-rate", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr = 3e-3;

    @Option(names = "--seed", description = "Initialisation and data-order seed (default ${DEFAULT-VALUE}).")
    long seed = 7;

    @Option(names = "--work", description = "Scratch directory (default: OUTPUT.work).")
    Path work;

    @Option(
        names = "--validate",
        description =
            "Validation prompts per category evaluated after training (the validation split, never the"
                + " demo's test rows; 0: none; default ${DEFAULT-VALUE}).")
    int validate = 4;

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
      if (validate > 0) Validate.print(output, validate, scratch);
      return 0;
    }
  }

  /** Evaluates a checkpoint on the validation split (for choosing settings without the test rows). */
  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description =
          "Evaluate a checkpoint on the demo's validation split (rows of a seed neither the base"
              + " model's training nor the demo's splits use) and print mAP, IoU reward and format rate.")
  static final class Validate implements Callable<Integer> {
    @Option(names = "--base", description = "Checkpoint directory (default: the shipped base).")
    Path base;

    @Option(names = "--per-category", description = "Prompts per category (default ${DEFAULT-VALUE}).")
    int perCategory = 4;

    @Option(names = "--work", description = "Scratch directory (default ${DEFAULT-VALUE}).")
    Path work = Path.of("demo", "validate");

    @Override
    public Integer call() throws IOException {
      Files.createDirectories(work);
      Path ckpt = base != null ? base : DemoBaseCheckpoint.extract(work.resolve("base"));
      print(ckpt, perCategory, work);
      return 0;
    }

    static void print(Path checkpoint, int perCategory, Path work) {
      List<Sample> rows = DemoData.validation(perCategory);
      Path gt = work.resolve("validation_annotations.json");
      DemoData.writeCocoGroundTruth(rows, gt);
      DemoMetrics m =
          new DemoEvaluator(16, DemoRunner.Settings.defaults().maxCompletionLength)
              .evaluate("base", checkpoint, rows, gt)
              .metrics();
      System.out.print("validation split (" + checkpoint + "):\n" + DemoMetrics.table(List.of(m)));
    }
  }
}
