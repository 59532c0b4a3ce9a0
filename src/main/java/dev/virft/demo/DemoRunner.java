package dev.virft.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.data.Sample;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.QwenTokenizer;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code virft demo}: evaluates the shipped base model on held-out synthetic detection images,
 * fine-tunes it on a few-shot split with GRPO (the original's detection rewards) and with SFT,
 * evaluates both, prints the table and writes the HTML report.
 */
public final class DemoRunner {
  /** What a run does; {@link #defaults()} is {@code virft demo} with no option. */
  public static final class Settings {
    public long seed = 1;
    public int shots = 4;
    public int testPerCategory = 6;
    public int grpoSteps = 100;
    public int sftSteps = 100;
    public int sftBatch = 4;
    public int numGenerations = 8;
    public int promptsPerStep = 2;
    // Chosen on the validation split (docs/benchmarks.md, Demo): 100 steps at 5e-5 gave RFT its best
    // mean IoU reward there; SFT was no better at 2e-4 or with 40 steps.
    public double grpoLearningRate = 5e-5;
    public double sftLearningRate = 5e-5;
    public double beta = 0.04;
    public double temperature = 1.0;
    public int maxCompletionLength = 96;
    public int evalBatch = 16;
    public Path output = Path.of("demo");
    /**
     * Evaluate on the validation split instead of the test split: for choosing settings without
     * looking at the test rows.
     */
    public boolean onValidation;
    /** A base checkpoint directory; null means the one shipped in the jar. */
    public Path base;

    public static Settings defaults() {
      return new Settings();
    }

    /** The shortened demo of the CI test. */
    public Settings quick() {
      grpoSteps = 4;
      sftSteps = 4;
      testPerCategory = 2;
      numGenerations = 4;
      return this;
    }
  }

  /** The rows of the table, plus where the report went. */
  public record Outcome(List<DemoMetrics> metrics, Path report, double seconds) {}

  private final Settings s;
  private final PrintStream out;

  public DemoRunner(Settings settings, PrintStream out) {
    this.s = settings;
    this.out = out;
  }

  public Outcome run() {
    long t0 = System.nanoTime();
    Path work = s.output.resolve("work");
    try {
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new VirftException(work + ": cannot create the demo's work directory: " + e.getMessage(), e);
    }
    Path base = s.base != null ? s.base : DemoBaseCheckpoint.extract(work.resolve("base"));
    // Both arms get the same rows in the base model's answer format (a short reasoning, then the
    // answer): SFT imitates it, GRPO's rewards read only the <answer> part of it.
    List<Sample> train = new ArrayList<>();
    for (Sample r : DemoData.fewShot(s.seed, s.shots)) train.add(DemoData.withReasoning(r));
    List<Sample> test =
        s.onValidation ? DemoData.validation(s.testPerCategory) : DemoData.test(s.seed, s.testPerCategory);
    Path gt = work.resolve("test_annotations.json");
    DemoData.writeCocoGroundTruth(test, gt);
    out.printf(
        Locale.ROOT,
        "virft demo: seed %d, %d few-shot training rows (%d per category), %d held-out %s rows%n",
        s.seed, train.size(), s.shots, test.size(), s.onValidation ? "validation" : "test");

    DemoEvaluator evaluator = new DemoEvaluator(s.evalBatch, s.maxCompletionLength);
    out.println("[1/5] evaluating the base model...");
    DemoEvaluator.Result baseResult = evaluator.evaluate("base", base, test, gt);
    out.println("[2/5] GRPO (Visual-RFT) on the few-shot split...");
    Path rftDir = work.resolve("rft");
    Path rft = grpo(base, train, rftDir);
    out.println("[3/5] SFT on the same split...");
    Path sftDir = work.resolve("sft");
    Path sft = sft(base, train, sftDir);
    out.println("[4/5] evaluating the SFT model...");
    DemoEvaluator.Result sftResult = evaluator.evaluate("SFT", sft, test, gt);
    out.println("[5/5] evaluating the RFT model...");
    DemoEvaluator.Result rftResult = evaluator.evaluate("RFT", rft, test, gt);

    List<DemoMetrics> rows = List.of(baseResult.metrics(), sftResult.metrics(), rftResult.metrics());
    double seconds = (System.nanoTime() - t0) / 1e9;
    out.println();
    out.print(DemoMetrics.table(rows));
    Path report = s.output.resolve("report.html");
    writeReport(report, rows, test, List.of(baseResult, sftResult, rftResult), rftDir, sftDir, seconds);
    out.printf(Locale.ROOT, "%nreport: %s  (%.0f s)%n", report, seconds);
    return new Outcome(rows, report, seconds);
  }

  private Path grpo(Path base, List<Sample> train, Path outDir) {
    GrpoOptions o = new GrpoOptions();
    o.outputDir = outDir;
    o.baseModelDir = base;
    o.numGenerations = s.numGenerations;
    o.maxCompletionLength = s.maxCompletionLength;
    o.perDeviceTrainBatchSize = 1;
    o.gradientAccumulationSteps = s.promptsPerStep;
    o.learningRate = s.grpoLearningRate;
    o.beta = s.beta;
    o.temperature = s.temperature;
    o.maxSteps = s.grpoSteps;
    o.saveSteps = s.grpoSteps;
    o.saveOnlyModel = true;
    o.seed = s.seed;
    o.progressBar = false;
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base);
        QwenVLModel policy = QwenVLModel.load(base, Device.CPU);
        QwenVLModel reference = s.beta > 0 ? QwenVLModel.load(base, Device.CPU) : null) {
      o.stopTokenIds = tok.stopIds();
      o.padTokenId = tok.padId();
      if (reference != null) reference.freezeInComputeDtype();
      QwenPromptEncoder enc =
          new QwenPromptEncoder(tok, ChatTemplate.fromCheckpoint(base), ImageProcessor.fromCheckpoint(base), 0);
      QwenTask task = new QwenTask(enc, RewardSelection.preset(Task.DETECTION));
      new GrpoTrainer<>(o, train, task, new QwenPolicy(policy), reference == null ? null : new QwenPolicy(reference), out)
          .train(null);
    }
    return outDir.resolve("checkpoint-" + s.grpoSteps);
  }

  /** {@code virft sft}'s trainer on the few-shot split: the solution + {@code <|im_end|>} as target. */
  private Path sft(Path base, List<Sample> train, Path outDir) {
    SftOptions o = new SftOptions();
    o.outputDir = outDir;
    o.baseModelDir = base;
    o.perDeviceTrainBatchSize = s.sftBatch;
    o.gradientAccumulationSteps = 1;
    o.learningRate = s.sftLearningRate;
    o.maxSteps = s.sftSteps;
    o.saveSteps = s.sftSteps;
    o.saveOnlyModel = true;
    o.seed = s.seed;
    o.progressBar = false;
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base);
        QwenVLModel model = QwenVLModel.load(base, Device.CPU)) {
      o.stopTokenIds = tok.stopIds();
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
    return outDir.resolve("checkpoint-" + s.sftSteps);
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

  private void writeReport(
      Path report,
      List<DemoMetrics> rows,
      List<Sample> test,
      List<DemoEvaluator.Result> results,
      Path rftDir,
      Path sftDir,
      double seconds) {
    DemoReport r = new DemoReport("virft demo — Visual-RFT on a tiny Qwen2-VL (seed " + s.seed + ")");
    r.note(
        String.format(
            Locale.ROOT,
            "Synthetic detection (red/green/blue circles, squares, triangles). Fine-tuning data: %d"
                + " images per category; test: %d held-out prompts. GRPO: %d steps × %d prompts × %d"
                + " samples, rewards accuracy_iou + accuracy_confidence + format, beta %.3g, lr %.3g."
                + " SFT: %d steps, lr %.3g. Wall time %.0f s.",
            s.shots, test.size(), s.grpoSteps, s.promptsPerStep, s.numGenerations, s.beta,
            s.grpoLearningRate, s.sftSteps, s.sftLearningRate, seconds));
    r.metrics(rows);
    r.chart(
        "GRPO: mean reward per step (max 3)",
        List.of(
            new DemoReport.Series("total", curve(rftDir, "reward")),
            new DemoReport.Series("accuracy_iou", curve(rftDir, "rewards/accuracy_iou")),
            new DemoReport.Series("format", curve(rftDir, "rewards/format"))));
    List<double[]> sftLoss = curve(sftDir, "loss");
    if (!sftLoss.isEmpty()) r.chart("SFT: loss per step", List.of(new DemoReport.Series("loss", sftLoss)));
    String[] names = {"base", "SFT", "RFT"};
    for (int i = 0; i < Math.min(6, test.size()); i++) {
      int row = i * Math.max(1, test.size() / 6);
      Sample sm = test.get(row);
      List<DemoReport.Box> truth = new ArrayList<>();
      for (int[] b : DemoData.boxes(sm.solution())) {
        double[] px = DemoData.toPixels(b, sm.width(), sm.height());
        truth.add(new DemoReport.Box(px[0], px[1], px[0] + px[2], px[1] + px[3]));
      }
      Map<String, List<DemoReport.Box>> preds = new LinkedHashMap<>();
      for (int m = 0; m < results.size(); m++) preds.put(names[m], results.get(m).boxes().get(row));
      r.example(new DemoReport.Example(sm.image().decode(), DemoData.category(sm), truth, preds));
    }
    r.write(report);
  }
}
