package dev.virft.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.data.Sample;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.QwenTokenizer;
import dev.virft.processor.StopTokens;
import dev.virft.reward.RewardSelection;
import dev.virft.reward.Task;
import dev.virft.rl.GrpoOptions;
import dev.virft.rl.GrpoTrainer;
import dev.virft.train.MetricsLog;
import dev.virft.rl.QwenPolicy;
import dev.virft.rl.QwenPrompt;
import dev.virft.rl.QwenPromptEncoder;
import dev.virft.rl.QwenTask;
import dev.virft.sft.SftOptions;
import dev.virft.sft.SftTask;
import dev.virft.sft.SftTrainer;
import dev.virft.tensor.Device;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code virft demo}: for each of the paper's two task families (detection, classification) on the
 * demo's few-shot target (4 categories in settings the base model never saw, see {@link DemoData}): evaluates the
 * shipped base model on held-out images, fine-tunes it on the few-shot split with GRPO (the original's
 * rewards for that task) and with SFT, evaluates both; over one or more seeds; prints the tables and
 * writes the HTML report.
 */
public final class DemoRunner {
  /** One task family's training settings. */
  public static final class Arm {
    public int grpoSteps;
    public int sftSteps;
    public double grpoLearningRate;
    public double sftLearningRate;
    /** Completion budget; null: the detection answer budget of {@link Settings#targetScene}. */
    public Integer maxCompletionLength;
    /**
     * Held-out rows of every category in the target setting (true), not only of the 4 few-shot
     * categories (false).
     */
    public boolean allCategories;
    /** GRPO prompts per step for this task; null: {@link Settings#promptsPerStep}. */
    public Integer promptsPerStep;
    /** GRPO sampling temperature for this task; null: {@link Settings#temperature}. */
    public Double temperature;
    /** GRPO KL coefficient for this task; null: {@link Settings#beta}. */
    public Double beta;
    /** Few-shot rows per target category for this task; null: {@link Settings#shots}. */
    public Integer shots;

    Arm(int grpoSteps, int sftSteps, double grpoLr, double sftLr) {
      this.grpoSteps = grpoSteps;
      this.sftSteps = sftSteps;
      this.grpoLearningRate = grpoLr;
      this.sftLearningRate = sftLr;
    }
  }

  /** What a run does; {@link #defaults()} is {@code virft demo} with no option. */
  public static final class Settings {
    public List<Long> seeds = List.of(1L);
    public int shots = 4;
    public int testPerCategory = 12;
    public int numGenerations = 8;
    public int promptsPerStep = 2;
    public int sftBatch = 4;
    public double beta = 0.04;
    public double temperature = 1.0;
    public int evalBatch = 32;
    // Chosen on the validation split (docs/benchmarks.md, Demo).
    public final Map<DemoData.Kind, Arm> arms = new EnumMap<>(DemoData.Kind.class);
    public List<DemoData.Kind> tasks = List.of(DemoData.Kind.DETECTION, DemoData.Kind.CLASSIFICATION);
    public Path output = Path.of("demo");
    /**
     * Evaluate on the validation split instead of the test split: for choosing settings without
     * looking at the test rows.
     */
    public boolean onValidation;
    /** A base checkpoint directory; null means the one shipped in the jar. */
    public Path base;

    /** The few-shot target's detection scenes. */
    public DemoData.SceneSpec targetScene = DemoData.SceneSpec.COUNT;

    Settings() {
      // Chosen on the validation split over seeds 1-3, each arm its own best of the settings tried
      // (docs/benchmarks.md, Demo, round 6). Detection: 16 shots; GRPO 160 steps at 2.5e-5 (at 2e-4
      // each Adam step on 16 noisy completions moved held-out boxes more than the reward taught, so
      // RFT fell below the base), SFT 80 steps at 1e-4 (of 5e-5, 1e-4, 2e-4, 5e-4). Classification:
      // 4 shots; GRPO 60 steps × 4 prompts at 1.5e-4, temperature 1.5 (the base is sure of itself at
      // 1.0: few groups have spread), SFT 60 steps at 5e-5 (of 5e-5, 1e-4, 2e-4).
      Arm det = new Arm(160, 80, 2.5e-5, 1e-4);
      det.shots = 16;
      arms.put(DemoData.Kind.DETECTION, det);
      Arm cls = new Arm(60, 60, 1.5e-4, 5e-5);
      cls.maxCompletionLength = 24;
      cls.temperature = 1.5;
      cls.promptsPerStep = 4;
      arms.put(DemoData.Kind.CLASSIFICATION, cls);
      // Held-out rows of all 12 categories: the few-shot rows show 4 of them (the paper's question in
      // miniature: does what 16 rows taught carry beyond those rows, or is it memorised?). Scored on the
      // 4 alone, as the paper's few-shot tables are, SFT wins: its rate is then free to overfit the 4
      // labels (validation: SFT 5e-4 0.986 against RFT 0.845, docs/benchmarks.md round 7).
      for (Arm a : arms.values()) a.allCategories = true;
    }

    public static Settings defaults() {
      return new Settings();
    }

    public Arm arm(DemoData.Kind kind) {
      return arms.get(kind);
    }

    /** GRPO prompts per step of a task (its arm's, else the shared setting). */
    public int promptsPerStep(DemoData.Kind kind) {
      Arm a = arm(kind);
      return a.promptsPerStep != null ? a.promptsPerStep : promptsPerStep;
    }

    /** Completion budget of a task (its arm's, else the detection budget of the target scene). */
    public int maxCompletionLength(DemoData.Kind kind) {
      Arm a = arm(kind);
      return a.maxCompletionLength != null ? a.maxCompletionLength : DemoData.detectionMaxTokens(targetScene);
    }

    /** GRPO KL coefficient of a task (its arm's, else the shared setting). */
    public double beta(DemoData.Kind kind) {
      Arm a = arm(kind);
      return a.beta != null ? a.beta : beta;
    }

    /** Few-shot rows per target category of a task (its arm's, else the shared setting). */
    public int shots(DemoData.Kind kind) {
      Arm a = arm(kind);
      return a.shots != null ? a.shots : shots;
    }

    /** GRPO sampling temperature of a task (its arm's, else the shared setting). */
    public double temperature(DemoData.Kind kind) {
      Arm a = arm(kind);
      return a.temperature != null ? a.temperature : temperature;
    }

    /** The shortened demo of the CI test. */
    public Settings quick() {
      for (Arm a : arms.values()) {
        a.grpoSteps = 3;
        a.sftSteps = 3;
      }
      testPerCategory = 2;
      numGenerations = 4;
      return this;
    }
  }

  /** One seed of one task family: the three models' metrics and the run's directories. */
  public record TaskRun(DemoData.Kind kind, long seed, List<DemoMetrics> metrics, List<Sample> test,
      List<DemoEvaluator.Result> results, Path rftDir, Path sftDir, List<DemoMetrics> groups) {}

  /** Every run, plus where the report went. */
  public record Outcome(List<TaskRun> runs, Path report, double seconds) {
    /** The metric rows of every run. */
    public List<DemoMetrics> metrics() {
      List<DemoMetrics> out = new ArrayList<>();
      for (TaskRun r : runs) out.addAll(r.metrics());
      return out;
    }
  }

  static final String[] MODELS = {"base", "SFT", "RFT"};

  private final Settings s;
  private final PrintStream out;

  public DemoRunner(Settings settings, PrintStream out) {
    this.s = settings;
    this.out = out;
  }

  public Outcome run() {
    long t0 = System.nanoTime();
    DemoData.setTargetScene(s.targetScene);
    Path work = s.output.resolve("work");
    mkdirs(work);
    Path base = s.base != null ? s.base : DemoBaseCheckpoint.extract(work.resolve("base"));
    List<TaskRun> runs = new ArrayList<>();
    int sideBySide = tasksSideBySide();
    if (sideBySide > 1) {
      out.printf(Locale.ROOT, "virft demo: the %d tasks run side by side, one core each (%d cores, one libtorch thread per task)%n",
          s.tasks.size(), Runtime.getRuntime().availableProcessors());
    }
    for (long seed : s.seeds) {
      if (sideBySide <= 1) {
        for (DemoData.Kind kind : s.tasks) runs.add(runTask(kind, seed, base, work.resolve("seed" + seed).resolve(kind.label())));
      } else {
        runs.addAll(runSideBySide(seed, base, work, sideBySide));
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (DemoData.Kind kind : s.tasks) {
      out.println();
      out.println(kind.label() + (s.seeds.size() > 1 ? " (mean ± std over seeds " + s.seeds + ")" : "") + ":");
      out.print(summaryTable(runs, kind));
      List<TaskRun> mine = runs.stream().filter(r -> r.kind() == kind).toList();
      if (!mine.isEmpty() && !mine.get(0).groups().isEmpty()) {
        out.println("by category (few-shot: the 4 the few-shot rows show; other: the 8 they do not):");
        out.print(groupSummary(mine));
      }
      if (!mine.isEmpty()) out.println(DemoReportWriter.verdict(kind, mine));
    }
    Path report = s.output.resolve("report.html");
    new DemoReportWriter(s, runs, seconds).write(report);
    out.printf(Locale.ROOT, "%nreport: %s  (%.0f s)%n", report, seconds);
    return new Outcome(runs, report, seconds);
  }

  /**
   * How many tasks of a seed run at once: each task's model is tiny and runs on one libtorch thread
   * (CpuThreads), so on a machine with a core per task they run side by side, each on its own core,
   * instead of leaving a core idle. A run's results do not depend on this: every sampler has its
   * own seeded generator and nothing is shared between the tasks but read-only settings.
   */
  private int tasksSideBySide() {
    Integer requested = dev.virft.tensor.CpuThreads.requested();
    if (requested != null && requested > 1) return 1;
    return Math.max(1, Math.min(s.tasks.size(), Runtime.getRuntime().availableProcessors()));
  }

  /** One seed's tasks on {@code threads} threads; each task's log is printed whole, in task order. */
  private List<TaskRun> runSideBySide(long seed, Path base, Path work, int threads) {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<TaskRun>> futures = new ArrayList<>();
      List<java.io.ByteArrayOutputStream> logs = new ArrayList<>();
      for (DemoData.Kind kind : s.tasks) {
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        logs.add(log);
        DemoRunner task = new DemoRunner(s, new PrintStream(log, true, StandardCharsets.UTF_8));
        futures.add(pool.submit(() -> task.runTask(kind, seed, base, work.resolve("seed" + seed).resolve(kind.label()))));
      }
      List<TaskRun> done = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        try {
          done.add(futures.get(i).get());
        } catch (java.util.concurrent.ExecutionException e) {
          out.print(logs.get(i).toString(StandardCharsets.UTF_8));
          if (e.getCause() instanceof RuntimeException r) throw r;
          throw new VirftException("demo " + s.tasks.get(i).label() + ", seed " + seed + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new VirftException("demo interrupted", e);
        }
        out.print(logs.get(i).toString(StandardCharsets.UTF_8));
      }
      return done;
    } finally {
      pool.shutdownNow();
    }
  }

  private TaskRun runTask(DemoData.Kind kind, long seed, Path base, Path dir) {
    mkdirs(dir);
    Arm arm = s.arm(kind);
    // Both arms get the same rows in the base model's answer format (a short reasoning, then the
    // answer): SFT imitates it, GRPO's rewards read only the answer (and the format) of it.
    List<Sample> train = new ArrayList<>();
    for (Sample r : DemoData.fewShot(kind, seed, s.shots(kind))) train.add(DemoData.withReasoning(r));
    List<String> cats = arm.allCategories ? DemoData.categories() : DemoData.TARGET_CATEGORIES;
    List<Sample> test =
        s.onValidation
            ? DemoData.validation(kind, s.testPerCategory, cats)
            : DemoData.test(kind, seed, s.testPerCategory, cats);
    Path gt = null;
    if (kind == DemoData.Kind.DETECTION) {
      gt = dir.resolve("test_annotations.json");
      DemoData.writeCocoGroundTruth(test, gt);
    }
    out.printf(
        Locale.ROOT,
        "virft demo %s, seed %d: %d few-shot rows (%d per target category), %d held-out %s prompts (%s)%n",
        kind.label(), seed, train.size(), s.shots(kind), test.size(), s.onValidation ? "validation" : "test",
        arm.allCategories ? "all " + cats.size() + " categories" : "the " + cats.size() + " target categories");
    DemoEvaluator evaluator = new DemoEvaluator(s.evalBatch, s.maxCompletionLength(kind), dir);
    long t = System.nanoTime();
    out.println("  [1/5] evaluating the base model...");
    DemoEvaluator.Result baseResult = evaluator.evaluate(kind, "base", base, test, gt);
    out.printf(Locale.ROOT, "  [2/5] GRPO (Visual-RFT), %d steps...%n", arm.grpoSteps);
    Path rftDir = dir.resolve("rft");
    Path rft = grpo(kind, arm, seed, base, train, rftDir);
    out.printf(Locale.ROOT, "  [3/5] SFT on the same rows, %d steps...%n", arm.sftSteps);
    Path sftDir = dir.resolve("sft");
    Path sft = sft(arm, seed, base, train, sftDir);
    out.println("  [4/5] evaluating the SFT model...");
    DemoEvaluator.Result sftResult = evaluator.evaluate(kind, "SFT", sft, test, gt);
    out.println("  [5/5] evaluating the RFT model...");
    DemoEvaluator.Result rftResult = evaluator.evaluate(kind, "RFT", rft, test, gt);
    List<DemoMetrics> rows = List.of(baseResult.metrics(), sftResult.metrics(), rftResult.metrics());
    List<DemoEvaluator.Result> results = List.of(baseResult, sftResult, rftResult);
    out.print(indent(DemoMetrics.table(rows)));
    List<DemoMetrics> groups = arm.allCategories ? byGroup(kind, test, results, dir) : List.of();
    if (!groups.isEmpty()) {
      out.println("  the same answers, split by category (few-shot: the 4 the few-shot rows show; other: the 8 they do not):");
      out.print(indent(DemoMetrics.table(groups)));
    }
    out.printf(Locale.ROOT, "  (%.0f s)%n", (System.nanoTime() - t) / 1e9);
    return new TaskRun(kind, seed, rows, test, results, rftDir, sftDir, groups);
  }

  /** Labels of {@link #byGroup}'s two groups of rows. */
  static final String[] GROUPS = {"few-shot cats", "other cats"};

  /**
   * Each model's answers re-scored on the test rows of the 4 few-shot categories and on those of the
   * other 8 (base, SFT, RFT for the first group, then for the second): does what fine-tuning taught
   * reach beyond the categories of the few-shot rows, and does it cost what the model knew?
   */
  static List<DemoMetrics> byGroup(DemoData.Kind kind, List<Sample> test, List<DemoEvaluator.Result> results, Path dir) {
    List<DemoMetrics> out = new ArrayList<>();
    for (int g = 0; g < GROUPS.length; g++) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < test.size(); i++) {
        if (DemoData.TARGET_CATEGORIES.contains(DemoData.category(test.get(i))) == (g == 0)) idx.add(i);
      }
      if (idx.isEmpty()) continue;
      List<Sample> rows = idx.stream().map(test::get).toList();
      Path gt = null;
      if (kind == DemoData.Kind.DETECTION) {
        gt = dir.resolve("test_annotations_group" + g + ".json");
        DemoData.writeCocoGroundTruth(rows, gt);
      }
      for (int m = 0; m < results.size(); m++) {
        List<String> completions = idx.stream().map(results.get(m).completions()::get).toList();
        String name = MODELS[m] + " (" + GROUPS[g] + ")";
        out.add(
            kind == DemoData.Kind.DETECTION
                ? DemoEvaluator.score(name, rows, completions, gt).metrics()
                : DemoEvaluator.scoreClassification(name, rows, completions).metrics());
      }
    }
    return out;
  }

  /** The task's table: one row per model, mean ± std over the seeds (plain values for one seed). */
  static String summaryTable(List<TaskRun> runs, DemoData.Kind kind) {
    List<TaskRun> mine = runs.stream().filter(r -> r.kind() == kind).toList();
    if (mine.isEmpty()) return "";
    if (mine.size() == 1) return DemoMetrics.table(mine.get(0).metrics());
    List<String> cols = mine.get(0).metrics().get(0).columns();
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-6s", "model"));
    for (String c : cols) sb.append(String.format(Locale.ROOT, " %17s", c));
    sb.append('\n');
    for (int m = 0; m < MODELS.length; m++) {
      List<DemoMetrics> per = new ArrayList<>();
      for (TaskRun r : mine) per.add(r.metrics().get(m));
      double[][] ms = DemoMetrics.meanStd(per);
      sb.append(String.format(Locale.ROOT, "%-6s", MODELS[m]));
      for (int j = 0; j < cols.size(); j++) {
        sb.append(String.format(Locale.ROOT, " %17s", String.format(Locale.ROOT, "%.4f ± %.4f", ms[0][j], ms[1][j])));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The by-category rows of one task's runs, mean ± std over the seeds. */
  static String groupSummary(List<TaskRun> mine) {
    List<DemoMetrics> first = mine.get(0).groups();
    List<String> cols = first.get(0).columns();
    int width = first.stream().mapToInt(m -> m.model().length()).max().orElse(6);
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", "model"));
    for (String c : cols) sb.append(String.format(Locale.ROOT, " %17s", c));
    sb.append('\n');
    for (int g = 0; g < first.size(); g++) {
      List<DemoMetrics> per = new ArrayList<>();
      for (TaskRun r : mine) per.add(r.groups().get(g));
      double[][] ms = DemoMetrics.meanStd(per);
      sb.append(String.format(Locale.ROOT, "%-" + width + "s", first.get(g).model()));
      for (int j = 0; j < cols.size(); j++) {
        sb.append(String.format(Locale.ROOT, " %17s", String.format(Locale.ROOT, "%.4f ± %.4f", ms[0][j], ms[1][j])));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String indent(String s) {
    return s.replaceAll("(?m)^", "  ");
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new VirftException(dir + ": cannot create the demo's work directory: " + e.getMessage(), e);
    }
  }

  Path grpo(DemoData.Kind kind, Arm arm, long seed, Path base, List<Sample> train, Path outDir) {
    GrpoOptions o = new GrpoOptions();
    o.outputDir = outDir;
    o.baseModelDir = base;
    o.numGenerations = s.numGenerations;
    o.maxCompletionLength = s.maxCompletionLength(kind);
    o.perDeviceTrainBatchSize = 1;
    o.gradientAccumulationSteps = s.promptsPerStep(kind);
    o.learningRate = arm.grpoLearningRate;
    o.beta = s.beta(kind);
    o.temperature = s.temperature(kind);
    o.maxSteps = arm.grpoSteps;
    o.saveSteps = arm.grpoSteps;
    o.saveOnlyModel = true;
    o.seed = seed;
    o.progressBar = false;
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base);
        QwenVLModel policy = QwenVLModel.load(base, Device.CPU);
        QwenVLModel reference = o.beta > 0 ? QwenVLModel.load(base, Device.CPU) : null) {
      o.stopTokenIds = StopTokens.of(tok);
      o.padTokenId = tok.padId();
      if (reference != null) reference.freezeInComputeDtype();
      QwenPromptEncoder enc =
          new QwenPromptEncoder(tok, ChatTemplate.fromCheckpoint(base), ImageProcessor.fromCheckpoint(base), 0);
      Task task = kind == DemoData.Kind.DETECTION ? Task.DETECTION : Task.CLASSIFICATION;
      QwenTask qt = new QwenTask(enc, RewardSelection.preset(task));
      new GrpoTrainer<>(o, train, qt, new QwenPolicy(policy), reference == null ? null : new QwenPolicy(reference), out)
          .train(null);
    }
    return outDir.resolve("checkpoint-" + arm.grpoSteps);
  }

  /** {@code virft sft}'s trainer on the few-shot split: the solution + {@code <|im_end|>} as target. */
  private Path sft(Arm arm, long seed, Path base, List<Sample> train, Path outDir) {
    SftOptions o = new SftOptions();
    o.outputDir = outDir;
    o.baseModelDir = base;
    o.perDeviceTrainBatchSize = s.sftBatch;
    o.gradientAccumulationSteps = 1;
    o.learningRate = arm.sftLearningRate;
    o.maxSteps = arm.sftSteps;
    o.saveSteps = arm.sftSteps;
    o.saveOnlyModel = true;
    o.seed = seed;
    o.progressBar = false;
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base);
        QwenVLModel model = QwenVLModel.load(base, Device.CPU)) {
      o.stopTokenIds = StopTokens.of(tok);
      o.padTokenId = tok.padId();
      QwenPromptEncoder enc =
          new QwenPromptEncoder(tok, ChatTemplate.fromCheckpoint(base), ImageProcessor.fromCheckpoint(base), 0);
      SftTask<Sample, QwenPrompt> task =
          new SftTask<>() {
            @Override
            public QwenPrompt encode(Sample e) {
              return enc.encode(e);
            }

            @Override
            public long[] answerIds(Sample e) {
              return tok.encode(e.solution() + QwenTokenizer.IM_END);
            }
          };
      new SftTrainer<>(o, train, task, new QwenPolicy(model), out).train(null);
    }
    return outDir.resolve("checkpoint-" + arm.sftSteps);
  }

  /** (step, value) of a numeric field of a trainer's metrics.jsonl; missing file or field: empty. */
  static List<double[]> curve(Path dir, String field) {
    List<double[]> pts = new ArrayList<>();
    Path f = dir.resolve(MetricsLog.FILE);
    if (!Files.isRegularFile(f)) return pts;
    try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode n = Json.MAPPER.readTree(line);
        if (n.hasNonNull(field) && n.hasNonNull("step")) {
          pts.add(new double[] {n.get("step").asDouble(), n.get(field).asDouble()});
        }
      }
    } catch (IOException e) {
      throw new VirftException(f + ": cannot read: " + e.getMessage(), e);
    }
    return pts;
  }

  /** Mean of a curve's values over steps [from, to) (1-based steps), NaN if none. */
  static double meanOver(List<double[]> curve, int from, int to) {
    return curve.stream().filter(p -> p[0] >= from && p[0] < to).mapToDouble(p -> p[1]).average().orElse(Double.NaN);
  }

  static Map<String, List<double[]>> rewardCurves(DemoData.Kind kind, Path rftDir) {
    Map<String, List<double[]>> m = new LinkedHashMap<>();
    m.put("total", curve(rftDir, "reward"));
    m.put(kind == DemoData.Kind.DETECTION ? "accuracy_iou" : "accuracy",
        curve(rftDir, kind == DemoData.Kind.DETECTION ? "rewards/accuracy_iou" : "rewards/accuracy_cls"));
    m.put("format", curve(rftDir, "rewards/format"));
    return m;
  }
}
