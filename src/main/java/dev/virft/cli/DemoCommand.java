package dev.virft.cli;

import dev.virft.demo.DemoAssets;
import dev.virft.demo.DemoData;
import dev.virft.demo.DemoBaseCheckpoint;
import dev.virft.demo.DemoProbe;
import dev.virft.data.Sample;
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
  @Option(names = "--seed", description = "Seed of the few-shot and test splits and of training (default 1).")
  Long seed;

  @Option(
      names = "--seeds",
      split = ",",
      description = "Several seeds, e.g. 1,2,3: one run each, tables report mean ± std over them.")
  List<Long> seeds;

  @Option(names = "--task", description = "detection, classification or both (default ${DEFAULT-VALUE}).")
  String task = "both";

  @Option(names = "--steps", description = "GRPO and SFT steps (default: per task, see docs/benchmarks.md).")
  Integer steps;

  @Option(names = "--grpo-steps", description = "GRPO steps (overrides --steps for GRPO).")
  Integer grpoSteps;

  @Option(names = "--sft-steps", description = "SFT steps (overrides --steps for SFT).")
  Integer sftSteps;

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

  @Option(names = "--grpo-learning-rate", description = "GRPO peak learning rate (default: per task).")
  Double grpoLr;

  @Option(names = "--sft-learning-rate", description = "SFT peak learning rate (default: per task).")
  Double sftLr;

  @Option(names = "--beta", description = "GRPO KL coefficient (default 0.04).")
  Double beta;

  @Option(names = "--num-generations", description = "GRPO samples per prompt (default 8).")
  Integer numGenerations;

  @Option(names = "--prompts-per-step", description = "GRPO prompts per optimizer step (default 2).")
  Integer promptsPerStep;

  @Option(names = "--temperature", description = "GRPO sampling temperature (default 1.0).")
  Double temperature;

  @Option(names = "--shots", description = "Few-shot rows per target category (default 4).")
  Integer shots;

  @Option(
      names = "--min-distractors",
      description = "Fewest distractors in a target detection scene, 0..2 (default 1: 1-2 distractors).")
  Integer minDistractors;

  @Option(
      names = "--classification-insets",
      split = ",",
      description =
          "Classification target only: each row's shape is drawn this many pixels smaller than its cell"
              + " per side, one of these at random per row (default: 2 for every row).")
  List<Integer> classificationInsets;

  @Option(
      names = "--classification-blend",
      description =
          "Classification target only: mix up to this share (below 0.5) of another colour into each"
              + " shape's colour, a share drawn per row (default 0: none).")
  Double classificationBlend;

  @Option(
      names = "--few-shot-categories",
      split = ",",
      description =
          "Tasks (detection, classification) whose few-shot rows show all 12 categories, --shots each,"
              + " instead of the 4 target ones (default: none).")
  List<String> fewShotAll;

  @Option(names = "--test-per-category", description = "Held-out prompts per category (default 12).")
  Integer testPerCategory;

  @Option(
      names = "--test-categories",
      description =
          "Held-out prompts of the 4 few-shot categories ('target') or of all 12 ('all'); default: per task.")
  String testCategories;

  /** The few-shot target's detection scenes, for the demo and the commands that probe a base for it. */
  static final class TargetScene {
    // The defaults spell DemoData.SceneSpec.COUNT (the demo's target since round 6).
    @Option(names = "--target-instances", description = "Shapes of the asked category in a target detection scene, N or N-M (default ${DEFAULT-VALUE}).")
    String instances = "2-3";

    @Option(names = "--target-distractors", description = "Distractors in a target detection scene, N or N-M (default ${DEFAULT-VALUE}).")
    String distractors = "0";

    @Option(
        names = "--target-distractor-colours",
        description = "any: distractors of any other category (default); other: only of other colours than the asked one.")
    String colours = "any";

    void apply() {
      DemoData.setTargetScene(DemoData.SceneSpec.parse(instances, distractors, colours, "--target"));
    }
  }

  @picocli.CommandLine.Mixin TargetScene targetScene = new TargetScene();

  @Override
  public Integer call() {
    DemoRunner.Settings s = DemoRunner.Settings.defaults();
    if (quick) s.quick();
    s.tasks =
        switch (task) {
          case "both" -> List.of(DemoData.Kind.DETECTION, DemoData.Kind.CLASSIFICATION);
          case "detection" -> List.of(DemoData.Kind.DETECTION);
          case "classification" -> List.of(DemoData.Kind.CLASSIFICATION);
          default -> throw new VirftException("--task: expected detection, classification or both, got '" + task + "'");
        };
    if (seed != null && seeds != null) throw new VirftException("--seed and --seeds: give one of them");
    if (seed != null) s.seeds = List.of(seed);
    if (seeds != null) {
      if (seeds.isEmpty()) throw new VirftException("--seeds: expected at least one seed");
      s.seeds = List.copyOf(seeds);
    }
    for (DemoRunner.Arm a : s.arms.values()) {
      if (steps != null) a.grpoSteps = a.sftSteps = atLeast(steps, 1, "--steps");
      if (grpoSteps != null) a.grpoSteps = atLeast(grpoSteps, 1, "--grpo-steps");
      if (sftSteps != null) a.sftSteps = atLeast(sftSteps, 1, "--sft-steps");
      if (grpoLr != null) a.grpoLearningRate = positive(grpoLr, "--grpo-learning-rate");
      if (sftLr != null) a.sftLearningRate = positive(sftLr, "--sft-learning-rate");
      if (testCategories != null) {
        a.allCategories =
            switch (testCategories) {
              case "all" -> true;
              case "target" -> false;
              default -> throw new VirftException("--test-categories: expected target or all, got '" + testCategories + "'");
            };
      }
    }
    s.output = output;
    s.base = base;
    s.onValidation = validation;
    if (beta != null) {
      if (!(beta >= 0)) throw new VirftException("--beta: expected a number >= 0, got " + beta);
      s.beta = beta;
      for (DemoRunner.Arm a : s.arms.values()) a.beta = null; // the option sets every task's
    }
    if (numGenerations != null) s.numGenerations = atLeast(numGenerations, 2, "--num-generations");
    if (promptsPerStep != null) {
      s.promptsPerStep = atLeast(promptsPerStep, 1, "--prompts-per-step");
      for (DemoRunner.Arm a : s.arms.values()) a.promptsPerStep = null; // the option sets every task's
    }
    if (shots != null) {
      s.shots = atLeast(shots, 1, "--shots");
      for (DemoRunner.Arm a : s.arms.values()) a.shots = null; // the option sets every task's
    }
    targetScene.apply();
    if (minDistractors != null) DemoData.setMinDistractors(minDistractors);
    if (classificationInsets != null) DemoData.setClassificationInsets(classificationInsets);
    if (classificationBlend != null) DemoData.setClassificationBlend(classificationBlend);
    if (fewShotAll != null) {
      List<DemoData.Kind> kinds = new java.util.ArrayList<>();
      for (String k : fewShotAll) {
        switch (k) {
          case "detection" -> kinds.add(DemoData.Kind.DETECTION);
          case "classification" -> kinds.add(DemoData.Kind.CLASSIFICATION);
          default -> throw new VirftException("--few-shot-categories: expected detection or classification, got '" + k + "'");
        }
      }
      DemoData.setFewShotAllCategories(kinds);
    }
    s.targetScene = DemoData.targetScene();
    if (testPerCategory != null) s.testPerCategory = atLeast(testPerCategory, 1, "--test-per-category");
    if (temperature != null) {
      s.temperature = positive(temperature, "--temperature");
      for (DemoRunner.Arm a : s.arms.values()) a.temperature = null; // the option sets every task's
    }
    DemoRunner.Outcome o = new DemoRunner(s, System.out).run();
    for (DemoMetrics m : o.metrics()) {
      if (!m.allFinite()) {
        System.err.println("error: non-finite metric in row " + m.task() + " " + m.model());
        return 1;
      }
    }
    return 0;
  }

  private static int atLeast(int v, int min, String option) {
    if (v < min) throw new VirftException(option + ": expected at least " + min + ", got " + v);
    return v;
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
    int rows = 20800;

    @Option(names = "--steps", description = "SFT steps (default ${DEFAULT-VALUE}).")
    int steps = 2600;

    @Option(names = "--hidden", description = "Language model width (default ${DEFAULT-VALUE}).")
    int hidden = DemoAssets.DEFAULT_SHAPE.hidden();

    @Option(names = "--intermediate", description = "Language model MLP width (default ${DEFAULT-VALUE}).")
    int intermediate = DemoAssets.DEFAULT_SHAPE.intermediate();

    @Option(names = "--layers", description = "Language model layers (default ${DEFAULT-VALUE}).")
    int layers = DemoAssets.DEFAULT_SHAPE.layers();

    @Option(names = "--vision-width", description = "Vision tower width (default ${DEFAULT-VALUE}).")
    int visionWidth = DemoAssets.DEFAULT_SHAPE.visionEmbed();

    @Option(names = "--vision-depth", description = "Vision tower blocks (default ${DEFAULT-VALUE}).")
    int visionDepth = DemoAssets.DEFAULT_SHAPE.visionDepth();

    @Option(names = "--rope-theta", description = "Language model's rotary base (default ${DEFAULT-VALUE}).")
    double ropeTheta = DemoAssets.DEFAULT_ROPE_THETA;

    @Option(
        names = "--mrope-section",
        split = ",",
        description =
            "M-RoPE's split of the language model's head_dim / 2 rotary frequencies into (temporal,"
                + " height, width), e.g. 1,1,10 (default: Qwen's 2:3:3 ratio, 3,4,5).")
    int[] mropeSection;

    @Option(
        names = "--classification-share",
        description = "Share of classification rows among the training rows, 0..1 (default ${DEFAULT-VALUE}: they alternate with detection).")
    double classificationShare = 0.5;

    @Option(names = "--batch", description = "Rows per step (default ${DEFAULT-VALUE}).")
    int batch = 8;

    @Option(names = "--learning-rate", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr = 3e-3;

    @Option(names = "--seed", description = "Initialisation and data-order seed (default ${DEFAULT-VALUE}).")
    long seed = 7;

    @Option(
        names = "--curriculum-steps",
        description =
            "Steps of a second stage (detection of base categories among distractors, with replay of"
                + " the first stage's single shapes; default ${DEFAULT-VALUE}: none, as the shipped base).")
    int curriculumSteps = 0;

    @Option(names = "--curriculum-learning-rate", description = "Second stage's peak learning rate (default ${DEFAULT-VALUE}).")
    double curriculumLr = 1e-3;

    @Option(
        names = "--classification-stage-steps",
        description =
            "Steps of a last stage of single shapes, mostly classification (--classification-stage-share),"
                + " at --curriculum-learning-rate (default ${DEFAULT-VALUE}: none).")
    int classificationStageSteps = 0;

    @Option(
        names = "--classification-stage-share",
        description = "Share of classification rows in that stage (default ${DEFAULT-VALUE}).")
    double classificationStageShare = 0.8;

    @Option(
        names = "--random-confidences",
        description =
            "Give every detection box of this run's training rows a random confidence (0.1 .. 0.9, independent"
                + " of the box) instead of 1: a base whose confidences carry no information (default: off).")
    boolean randomConfidences;

    @Option(
        names = "--from",
        description =
            "Skip the first stage: start the second one from this checkpoint (the first stage's result,"
                + " e.g. an earlier make-base run with --curriculum-steps 0).")
    Path from;

    @Option(names = "--work", description = "Scratch directory (default: OUTPUT.work).")
    Path work;

    @Option(
        names = "--validate",
        description =
            "Validation prompts per category evaluated after training (the validation split, never the"
                + " demo's test rows; 0: none; default ${DEFAULT-VALUE}).")
    int validate = 8;

    @Option(
        names = "--scene-stage-steps",
        description = "Steps of a last stage of scenes of the base categories (--scene-instances, --scene-distractors),"
            + " with single shapes replayed, at --curriculum-learning-rate (default ${DEFAULT-VALUE}: none).")
    int sceneStageSteps = 0;

    @Option(names = "--scene-instances", description = "Shapes of the asked category in that stage's scenes, N or N-M (default ${DEFAULT-VALUE}).")
    String sceneInstances = "1-2";

    @Option(names = "--scene-distractors", description = "Distractors in that stage's scenes, N or N-M (default ${DEFAULT-VALUE}).")
    String sceneDistractors = "0-1";

    @Option(names = "--scene-distractor-colours", description = "any or other (default ${DEFAULT-VALUE}).")
    String sceneColours = "any";

    @picocli.CommandLine.Mixin TargetScene targetScene = new TargetScene();

    private DemoData.SceneSpec sceneProbe;

    private List<Sample> conf(List<Sample> rows, int stage) {
      return randomConfidences ? DemoData.withRandomConfidences(rows, DemoData.CONFIDENCE_SEED + stage) : rows;
    }

    @Override
    public Integer call() throws IOException {
      Path scratch = work != null ? work : Path.of(output + ".work");
      if (classificationStageSteps < 0) {
        throw new VirftException("--classification-stage-steps: expected at least 0, got " + classificationStageSteps);
      }
      if (curriculumSteps < 0) throw new VirftException("--curriculum-steps: expected at least 0, got " + curriculumSteps);
      if (from != null && !Files.isRegularFile(from.resolve("model.safetensors"))) {
        throw new VirftException("--from: " + from.resolve("model.safetensors") + " does not exist");
      }
      Path trained = from;
      if (from == null) {
        Path assets = scratch.resolve("assets");
        Files.createDirectories(assets);
        DemoAssets.ModelShape d = DemoAssets.DEFAULT_SHAPE;
        if (hidden % d.heads() != 0 || (hidden / d.heads()) % 2 != 0) {
          throw new VirftException("--hidden: expected a multiple of " + 2 * d.heads() + ", got " + hidden);
        }
        if (visionWidth % d.visionHeads() != 0) {
          throw new VirftException("--vision-width: expected a multiple of " + d.visionHeads() + ", got " + visionWidth);
        }
        DemoAssets.ModelShape shape =
            new DemoAssets.ModelShape(
                hidden, intermediate, layers, d.heads(), d.kvHeads(), visionDepth, visionWidth, d.visionHeads());
        DemoAssets.writeAll(assets, shape, ropeTheta, mropeSection != null ? mropeSection : shape.mropeSection());
        trained =
            DemoSft.train(assets, conf(DemoData.baseTraining(rows, classificationShare), 0), scratch.resolve("sft"), steps, lr, batch, seed, System.out);
      }
      if (curriculumSteps > 0) {
        System.out.println("second stage: base categories among distractors, with replay, " + curriculumSteps + " steps");
        trained =
            DemoSft.train(trained, conf(DemoData.curriculumTraining(curriculumSteps * batch), 1), scratch.resolve("curriculum"),
                curriculumSteps, curriculumLr, batch, seed + 1, System.out);
      }
      if (classificationStageSteps > 0) {
        System.out.println("classification stage: single shapes, " + classificationStageShare
            + " of the rows classification, " + classificationStageSteps + " steps");
        trained =
            DemoSft.train(trained, conf(DemoData.classificationStage(classificationStageSteps * batch, classificationStageShare), 2),
                scratch.resolve("classification-stage"), classificationStageSteps, curriculumLr, batch, seed + 2, System.out);
      }
      if (sceneStageSteps < 0) throw new VirftException("--scene-stage-steps: expected at least 0, got " + sceneStageSteps);
      if (sceneStageSteps > 0) {
        DemoData.SceneSpec spec = DemoData.SceneSpec.parse(sceneInstances, sceneDistractors, sceneColours, "--scene");
        System.out.println("scene stage: base categories, " + spec + ", with replay, " + sceneStageSteps + " steps");
        trained =
            DemoSft.train(trained, conf(DemoData.sceneStage(sceneStageSteps * batch, spec), 3),
                scratch.resolve("scene-stage"), sceneStageSteps, curriculumLr, batch, seed + 3, System.out);
        sceneProbe = spec;
      }
      targetScene.apply();
      Path result = trained;
      AtomicFiles.writeDirectory(
          output,
          dir -> {
            try (Stream<Path> files = Files.list(result)) {
              for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, dir.resolve(f.getFileName()));
            }
          });
      System.out.println("wrote the base checkpoint to " + output);
      if (validate > 0) Validate.print(output, validate, scratch, sceneProbe);
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
    int perCategory = 8;

    @Option(names = "--work", description = "Scratch directory (default ${DEFAULT-VALUE}).")
    Path work = Path.of("demo", "validate");

    @Option(
        names = "--classification-insets",
        split = ",",
        description = "As the demo's option: the classification target's insets, one at random per row.")
    List<Integer> classificationInsets;

    @Option(
        names = "--classification-only",
        description = "Only the classification target (accuracy and GRPO groups with spread).")
    boolean classificationOnly;

    @Option(names = "--classification-blend", description = "As the demo's option.")
    Double classificationBlend;

    @Option(names = "--temperature", description = "Sampling temperature of the spread probe (default: the demo's).")
    Double temperature;

    @picocli.CommandLine.Mixin TargetScene targetScene = new TargetScene();

    @Override
    public Integer call() throws IOException {
      targetScene.apply();
      Files.createDirectories(work);
      Path ckpt = base != null ? base : DemoBaseCheckpoint.extract(work.resolve("base"));
      if (classificationInsets != null) DemoData.setClassificationInsets(classificationInsets);
      if (classificationBlend != null) DemoData.setClassificationBlend(classificationBlend);
      if (classificationOnly) {
        printTarget(ckpt, DemoData.Kind.CLASSIFICATION, perCategory, work, temperature);
        return 0;
      }
      print(ckpt, perCategory, work, null);
      return 0;
    }

    /** The demo's settings, with the target scene the options set. */
    private static DemoRunner.Settings probeSettings() {
      DemoRunner.Settings d = DemoRunner.Settings.defaults();
      d.targetScene = DemoData.targetScene();
      return d;
    }

    /** The base on the few-shot target of one task: its metrics and GRPO's view of it (spread). */
    static void printTarget(Path checkpoint, DemoData.Kind kind, int perCategory, Path work, Double temperature) {
      DemoRunner.Settings d = probeSettings();
      List<Sample> rows = DemoData.validation(kind, perCategory);
      Path gt = null;
      if (kind == DemoData.Kind.DETECTION) {
        gt = work.resolve("validation_annotations.json");
        DemoData.writeCocoGroundTruth(rows, gt);
      }
      DemoEvaluator.Result r =
          new DemoEvaluator(d.evalBatch, d.maxCompletionLength(kind), work).evaluate(kind, "base", checkpoint, rows, gt);
      System.out.print(
          "validation split, " + kind.label() + ", few-shot target (" + checkpoint + "):\n"
              + DemoMetrics.table(List.of(r.metrics())));
      if (kind == DemoData.Kind.DETECTION) System.out.println("  " + DemoProbe.position(rows, r.completions()).line());
      // GRPO's view of the target: groups of the demo's size, sampled as its rollouts are.
      System.out.println("  " + DemoProbe.spread(checkpoint, kind, rows, d.numGenerations,
          temperature != null ? temperature : d.temperature(kind), d.maxCompletionLength(kind), 11).line());
    }

    static void print(Path checkpoint, int perCategory, Path work, DemoData.SceneSpec sceneStage) {
      for (DemoData.Kind kind : DemoData.Kind.values()) printTarget(checkpoint, kind, perCategory, work, null);
      DemoRunner.Settings d = probeSettings();
      // The pre-training task itself (base categories), to tell "cannot localise" from "cannot transfer".
      List<Sample> pre = DemoData.baseValidation(perCategory * 8);
      Path gt = work.resolve("pretraining_annotations.json");
      List<Sample> det = pre.stream().filter(x -> !DemoData.isClassificationRow(x)).toList();
      List<Sample> cls = pre.stream().filter(DemoData::isClassificationRow).toList();
      DemoData.writeCocoGroundTruth(det, gt);
      DemoEvaluator.Result rd =
          new DemoEvaluator(d.evalBatch, d.maxCompletionLength(DemoData.Kind.DETECTION), work)
              .evaluate(DemoData.Kind.DETECTION, "base-pre", checkpoint, det, gt);
      DemoMetrics md = rd.metrics();
      DemoMetrics mc =
          new DemoEvaluator(d.evalBatch, d.maxCompletionLength(DemoData.Kind.CLASSIFICATION), work)
              .evaluate(DemoData.Kind.CLASSIFICATION, "base-pre", checkpoint, cls, null)
              .metrics();
      System.out.print("pre-training distribution (single shapes, held-out seed):\n" + DemoMetrics.table(List.of(md))
          + DemoMetrics.table(List.of(mc)) + "  " + DemoProbe.position(det, rd.completions()).line() + "\n");
      // The second stage's task (base categories among distractors): does the base read the category?
      List<Sample> crowd = DemoData.curriculumCrowdValidation(perCategory * 8);
      Path cgt = work.resolve("curriculum_annotations.json");
      DemoData.writeCocoGroundTruth(crowd, cgt);
      DemoEvaluator.Result rk =
          new DemoEvaluator(d.evalBatch, d.maxCompletionLength(DemoData.Kind.DETECTION), work)
              .evaluate(DemoData.Kind.DETECTION, "base-crowd", checkpoint, crowd, cgt);
      System.out.print("curriculum distribution (base categories among distractors, held-out seed):\n"
          + DemoMetrics.table(List.of(rk.metrics())) + "  " + DemoProbe.position(crowd, rk.completions()).line() + "\n");
      if (sceneStage != null) {
        List<Sample> sc = DemoData.sceneStageValidation(perCategory * 8, sceneStage);
        Path sgt = work.resolve("scene_stage_annotations.json");
        DemoData.writeCocoGroundTruth(sc, sgt);
        DemoEvaluator.Result rs =
            new DemoEvaluator(d.evalBatch, DemoData.detectionMaxTokens(sceneStage), work)
                .evaluate(DemoData.Kind.DETECTION, "base-scene", checkpoint, sc, sgt);
        System.out.print("scene stage distribution (base categories, " + sceneStage + ", held-out seed):\n"
            + DemoMetrics.table(List.of(rs.metrics())) + "\n");
      }
    }
  }
}
