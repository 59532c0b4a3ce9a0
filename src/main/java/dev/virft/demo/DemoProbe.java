package dev.virft.demo;

import dev.virft.data.Sample;
import dev.virft.model.GenerationConfig;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.QwenVLProcessor;
import dev.virft.processor.StopTokens;
import dev.virft.reward.RewardSelection;
import dev.virft.reward.Task;
import dev.virft.tensor.Device;
import dev.virft.inference.VisionChat;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks of a base checkpoint that say whether GRPO will have something to work with, before any
 * demo run is spent on it: does it place boxes in the right grid row and column (a base that reads
 * rows but not columns gives detection groups a correct box only when the shape happens to sit in its
 * favourite column), and how many GRPO groups of sampled answers have a reward spread at all (a group
 * whose answers all score the same gives GRPO a zero advantage).
 */
public final class DemoProbe {
  private DemoProbe() {}

  /** How many answers' first box starts in the first true box's grid row and column. */
  public record Position(int rowRight, int columnRight, int answered, int rows, String favourite) {
    public String line() {
      return String.format(
          Locale.ROOT,
          "first box in the right row %d/%d, right column %d/%d (%d answered with a box; most common x1: %s)",
          rowRight, rows, columnRight, rows, answered, favourite);
    }
  }

  /** Row and column hits of detection {@code completions} against the rows' first true box. */
  public static Position position(List<Sample> rows, List<String> completions) {
    int row = 0, col = 0, answered = 0;
    int cell = 1000 / DemoData.GRID_CELLS;
    int[] x1Counts = new int[DemoData.GRID_CELLS + 1];
    for (int i = 0; i < rows.size(); i++) {
      List<int[]> truth = DemoData.boxes(rows.get(i).solution());
      List<int[]> got = DemoData.boxes(completions.get(i));
      if (truth.isEmpty() || got.isEmpty()) continue;
      answered++;
      int[] t = truth.get(0), g = got.get(0);
      // Half a cell either way: the same cell even for the drawn-smaller shapes.
      if (Math.abs(g[1] - t[1]) < cell / 2) row++;
      if (Math.abs(g[0] - t[0]) < cell / 2) col++;
      x1Counts[Math.max(0, Math.min(DemoData.GRID_CELLS, Math.round(g[0] / (float) cell)))]++;
    }
    int best = 0;
    for (int k = 1; k < x1Counts.length; k++) if (x1Counts[k] > x1Counts[best]) best = k;
    String fav = answered == 0 ? "-" : (best * cell) + " (" + x1Counts[best] + ")";
    return new Position(row, col, answered, rows.size(), fav);
  }

  /** GRPO-style groups of sampled answers: how many have any reward spread, and the mean reward. */
  public record Spread(int groupsWithSpread, int groups, double meanReward, double meanGroupStd) {
    public String line() {
      return String.format(
          Locale.ROOT,
          "sampled groups with reward spread %d/%d, mean reward %.3f, mean within-group std %.3f",
          groupsWithSpread, groups, meanReward, meanGroupStd);
    }
  }

  /**
   * Samples {@code g} answers per row at {@code temperature} (as GRPO's rollouts do) and scores each
   * with the task's original reward set (the sum GRPO's advantages are computed from).
   */
  public static Spread spread(
      Path checkpoint, DemoData.Kind kind, List<Sample> rows, int g, double temperature, int maxNewTokens, long seed) {
    RewardSelection rewards =
        RewardSelection.preset(kind == DemoData.Kind.DETECTION ? Task.DETECTION : Task.CLASSIFICATION);
    int withSpread = 0;
    double sum = 0, stdSum = 0;
    try (QwenVLProcessor processor = QwenVLProcessor.fromCheckpoint(checkpoint);
        QwenVLModel model = QwenVLModel.load(checkpoint, Device.CPU)) {
      GenerationConfig gen =
          GenerationConfig.greedy(maxNewTokens, StopTokens.of(processor.tokenizer()), processor.padId())
              .withSuppressedTokens(model.config().visionTokenIds())
              .withSampling(temperature, 50, 1.0, seed);
      try (VisionChat chat = VisionChat.of(model, processor, gen)) {
        // Four prompts' groups per batch: one generate call, as the evaluator's batches.
        int per = Math.max(1, 32 / g);
        for (int start = 0; start < rows.size(); start += per) {
          List<Sample> batch = rows.subList(start, Math.min(rows.size(), start + per));
          List<List<Map<String, Object>>> chats = new ArrayList<>();
          List<BufferedImage> images = new ArrayList<>();
          for (Sample s : batch) {
            BufferedImage img = s.image().decode();
            for (int k = 0; k < g; k++) {
              chats.add(List.of(QwenVLProcessor.userTurn(s.problem(), true)));
              images.add(img);
            }
          }
          List<String> answers = chat.answer(chats, images);
          for (int b = 0; b < batch.size(); b++) {
            Sample s = batch.get(b);
            double[] r = new double[g];
            double mean = 0;
            for (int k = 0; k < g; k++) {
              r[k] = rewards.score(answers.get(b * g + k), s.solution(), Map.of("solution", s.solution())).total();
              mean += r[k] / g;
            }
            double var = 0;
            for (double v : r) var += (v - mean) * (v - mean) / g;
            if (var > 1e-12) withSpread++;
            sum += mean;
            stdSum += Math.sqrt(var);
          }
        }
      }
    }
    int n = rows.size();
    return new Spread(withSpread, n, n == 0 ? 0 : sum / n, n == 0 ? 0 : stdSum / n);
  }
}
