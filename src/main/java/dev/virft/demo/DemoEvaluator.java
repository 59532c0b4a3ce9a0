package dev.virft.demo;

import dev.virft.data.Sample;
import dev.virft.eval.CocoEval;
import dev.virft.eval.CocoResults;
import dev.virft.eval.DetectionDataset;
import dev.virft.eval.DetectionJson;
import dev.virft.inference.VisionChat;
import dev.virft.model.GenerationConfig;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.QwenTokenizer;
import dev.virft.processor.QwenVLProcessor;
import dev.virft.processor.StopTokens;
import dev.virft.py.PyNumbers;
import dev.virft.reward.ClassificationAccuracyReward;
import dev.virft.reward.DetectionAnswerParser;
import dev.virft.reward.DetectionIouReward;
import dev.virft.reward.FormatReward;
import dev.virft.tensor.Device;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a checkpoint on the demo's held-out rows: greedy answers (batched, KV cache), then for
 * detection the original's {@code accuracy_iou} and {@code format} rewards per answer and COCO mAP of
 * the boxes parsed as the original's evaluation parses them, through our COCOeval port; for
 * classification the original's {@code accuracy} reward (its normalised substring match) as accuracy,
 * and the format rate.
 *
 * <p>The answers come from {@link VisionChat}, the processor and generation loop of {@code virft eval}.
 * The prompt is the training prompt (chat template, image then problem), as the demo trains and
 * tests on one task; the original's evaluation scripts add an {@code <image>\n} prefix that its
 * training prompts lack, which would only test the tiny model on a prompt it has never seen.
 */
public final class DemoEvaluator {
  /** What one model did on the test rows. */
  public record Result(DemoMetrics metrics, List<String> completions, List<List<DemoReport.Box>> boxes) {}

  private final int batchSize;
  private final int maxNewTokens;
  private final Path answersDir;

  /** Answers are not written. */
  public DemoEvaluator(int batchSize, int maxNewTokens) {
    this(batchSize, maxNewTokens, null);
  }

  /** {@code answersDir}: where each model's answers are written as JSONL (null: not written). */
  public DemoEvaluator(int batchSize, int maxNewTokens, Path answersDir) {
    this.batchSize = batchSize;
    this.maxNewTokens = maxNewTokens;
    this.answersDir = answersDir;
  }

  /** Evaluates detection rows against the COCO file {@code groundTruth}. */
  public Result evaluate(String name, Path checkpoint, List<Sample> rows, Path groundTruth) {
    return evaluate(DemoData.Kind.DETECTION, name, checkpoint, rows, groundTruth);
  }

  /** Evaluates {@code rows} of one task; {@code groundTruth} is the COCO file (detection) or null. */
  public Result evaluate(DemoData.Kind kind, String name, Path checkpoint, List<Sample> rows, Path groundTruth) {
    List<String> completions = answers(checkpoint, rows, batchSize, maxNewTokens);
    Result r =
        kind == DemoData.Kind.DETECTION ? score(name, rows, completions, groundTruth) : scoreClassification(name, rows, completions);
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < rows.size(); i++) {
      // A LinkedHashMap, not Map.of, whose order changes from one JVM to the next: the file is the same each run.
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("row", i);
      line.put("solution", rows.get(i).solution());
      line.put("completion", completions.get(i));
      jsonl.append(Json.line(line));
      jsonl.append('\n');
    }
    if (answersDir != null) {
      AtomicFiles.writeString(answersDir.resolve("answers_" + kind.label() + "_" + name + ".jsonl"), jsonl.toString());
    }
    return r;
  }

  /**
   * The checkpoint's greedy answers to the rows' training prompts, {@code batchSize} at a time, through
   * {@link VisionChat} (the processor and generation of {@code virft eval}), stopping at the training
   * stop ids and never choosing a vision placeholder.
   */
  static List<String> answers(Path checkpoint, List<Sample> rows, int batchSize, int maxNewTokens) {
    QwenVLProcessor processor = QwenVLProcessor.fromCheckpoint(checkpoint);
    QwenVLModel model;
    try {
      model = QwenVLModel.load(checkpoint, Device.CPU);
    } catch (RuntimeException e) {
      processor.close();
      throw e;
    }
    QwenTokenizer tok = processor.tokenizer();
    GenerationConfig gen = GenerationConfig.greedy(maxNewTokens, StopTokens.of(tok), processor.padId())
        .withSuppressedTokens(model.config().visionTokenIds());
    List<String> completions = new ArrayList<>();
    try (VisionChat chat = VisionChat.of(model, processor, gen)) {
      for (int start = 0; start < rows.size(); start += batchSize) {
        List<Sample> batch = rows.subList(start, Math.min(rows.size(), start + batchSize));
        List<List<Map<String, Object>>> chats = new ArrayList<>();
        List<BufferedImage> images = new ArrayList<>();
        for (Sample s : batch) {
          chats.add(List.of(QwenVLProcessor.userTurn(s.problem(), true)));
          images.add(s.image().decode());
        }
        completions.addAll(chat.answer(chats, images));
      }
    }
    return completions;
  }

  /** Rewards and COCO metrics of given completions (one per row, in row order). */
  public static Result score(String name, List<Sample> rows, List<String> completions, Path groundTruth) {
    DetectionIouReward iou = new DetectionIouReward();
    List<String> cats = DemoData.categories();
    List<DetectionJson.RawResult> results = new ArrayList<>();
    List<List<DemoReport.Box>> boxes = new ArrayList<>();
    double iouSum = 0;
    int formatted = 0;
    for (int i = 0; i < rows.size(); i++) {
      Sample s = rows.get(i);
      String c = completions.get(i);
      iouSum += iou.score(c, s.solution(), Map.of());
      if (FormatReward.matches(c)) formatted++;
      long cat = cats.indexOf(DemoData.category(s)) + 1;
      List<DemoReport.Box> drawn = new ArrayList<>();
      for (DetectionAnswerParser.PixelBox pb : DetectionAnswerParser.parseForEval(c, s.width(), s.height()).boxes()) {
        double[] b = pb.bbox();
        double score = PyNumbers.toFloat(pb.score());
        results.add(new DetectionJson.RawResult(i + 1, cat, b, score));
        drawn.add(new DemoReport.Box(b[0], b[1], b[0] + b[2], b[1] + b[3]));
      }
      boxes.add(drawn);
    }
    DetectionDataset gt = DetectionJson.readGroundTruth(groundTruth, DetectionJson.Format.COCO);
    DetectionDataset dt = CocoResults.load(gt, results, name + " answers");
    double[] stats = new CocoEval(gt, dt).run().stats();
    int n = rows.size();
    DemoMetrics m =
        DemoMetrics.detection(name, stats[0], stats[1], n == 0 ? 0 : iouSum / n, n == 0 ? 0 : (double) formatted / n, n);
    return new Result(m, completions, boxes);
  }

  /** Accuracy (the original's classification accuracy reward) and format rate of given completions. */
  public static Result scoreClassification(String name, List<Sample> rows, List<String> completions) {
    ClassificationAccuracyReward acc = new ClassificationAccuracyReward();
    double correct = 0;
    int formatted = 0;
    List<List<DemoReport.Box>> none = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      correct += acc.score(completions.get(i), rows.get(i).solution(), Map.of());
      if (FormatReward.matches(completions.get(i))) formatted++;
      none.add(List.of());
    }
    int n = rows.size();
    return new Result(
        DemoMetrics.classification(name, n == 0 ? 0 : correct / n, n == 0 ? 0 : (double) formatted / n, n),
        completions,
        none);
  }
}
