package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * transformers' repetition_penalty (Qwen2-VL Instruct's generation_config.json sets 1.05): every id of
 * the row so far, prompt and padding included, has its logit divided (if positive) or multiplied (if
 * negative) by the penalty before the greedy choice.
 */
class RepetitionPenaltyTest {
  @Test
  void greedyWithPenaltyPicksWhatPenalizedFullRecomputationPicks() {
    try (QwenVLModel model = QwenVLModel.load(GenerationTest.DIR.resolve("checkpoint"), Device.CPU)) {
      long[][] prompt = {{0, 0, 0, 11, 12, 13, 14}, {21, 22, 23, 24, 25, 26, 27}};
      long[][] pmask = {{0, 0, 0, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1}};
      double penalty = 2.5;
      int n = 8;
      GenerationConfig greedy = GenerationConfig.greedy(n, new long[0], 0);
      GenerationOutput out = model.generateWithImageEmbeds(Tensors.longs2d(prompt), Tensors.longs2d(pmask), null, null,
          greedy.withRepetitionPenalty(penalty));
      GenerationOutput free = model.generateWithImageEmbeds(Tensors.longs2d(prompt), Tensors.longs2d(pmask), null, null,
          greedy);
      assertFalse(Arrays.deepEquals(free.tokens(), out.tokens()), "the penalty changes this model's greedy output");
      for (int step = 0; step < n; step++) {
        for (int r = 0; r < 2; r++) {
          long[] cur = concat(prompt[r], Arrays.copyOf(out.tokens()[r], step));
          long[] curMask = concat(pmask[r], ones(step));
          try (NoGradGuard ng = new NoGradGuard()) {
            Tensor logits = model.forwardWithImageEmbeds(Tensors.longs2d(new long[][] {cur}),
                Tensors.longs2d(new long[][] {curMask}), null, null, null);
            float[] row = Tensors.toFloats(logits.select(1, cur.length - 1).select(0, 0).contiguous());
            Set<Long> seen = new HashSet<>();
            for (long id : cur) {
              if (seen.add(id)) {
                float v = row[(int) id];
                row[(int) id] = (float) (v < 0 ? v * penalty : v / penalty);
              }
            }
            int best = 0;
            for (int i = 1; i < row.length; i++) {
              if (row[i] > row[best]) {
                best = i;
              }
            }
            assertEquals(best, out.tokens()[r][step], "row " + r + " step " + step);
          }
        }
      }
    }
  }

  @Test
  void readFromGenerationConfigAndValidated(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("generation_config.json"),
        "{\"do_sample\": true, \"top_k\": 1, \"top_p\": 0.001, \"temperature\": 0.01, \"repetition_penalty\": 1.05,"
            + " \"eos_token_id\": [151645, 151643], \"pad_token_id\": 151643}");
    GenerationConfig g = GenerationConfig.fromCheckpoint(dir);
    assertEquals(1.05, g.repetitionPenalty());
    assertEquals(1.05, g.withMaxNewTokens(7).withSuppressedTokens(1, 2).repetitionPenalty());
    assertArrayEquals(new long[] {151645, 151643}, g.stopTokenIds());
    Files.writeString(dir.resolve("generation_config.json"), "{\"repetition_penalty\": 0}");
    assertThrows(VirftException.class, () -> GenerationConfig.fromCheckpoint(dir));
    assertEquals(1.0, GenerationConfig.greedy(4, new long[0], 0).repetitionPenalty());
  }

  private static long[] concat(long[] a, long[] b) {
    long[] o = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, o, a.length, b.length);
    return o;
  }

  private static long[] ones(int n) {
    long[] o = new long[n];
    Arrays.fill(o, 1);
    return o;
  }
}
