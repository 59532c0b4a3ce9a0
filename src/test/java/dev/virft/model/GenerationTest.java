package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.tensor.Device;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generation on the golden Qwen2.5-VL checkpoint (images injected as the golden vision embeds). */
class GenerationTest {
  static final Path DIR = Paths.get("src/test/resources/golden/qwen2_5_vl");
  static QwenVLModel model;
  static Tensor ids;
  static Tensor mask;
  static Tensor vis;
  static long[][] grids;

  @BeforeAll
  static void load() {
    model = QwenVLModel.load(DIR.resolve("checkpoint"), Device.CPU);
    StateDict g = Safetensors.read(DIR.resolve("golden.safetensors"));
    ids = g.get("input_ids");
    mask = g.get("attention_mask");
    vis = g.get("vision_embeds");
    grids = Tensors.toLongs2d(g.get("proc_slow.image_grid_thw"));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static GenerationConfig greedy(int n) {
    return GenerationConfig.greedy(n, new long[0], 0);
  }

  /** Each cached decode step picks what a full forward over prompt + tokens so far picks. */
  @Test
  void cachedDecodingEqualsFullRecomputation() {
    // Text-only, left padded: a different path from the golden multimodal prompt.
    long[][] prompt = {{0, 0, 0, 11, 12, 13, 14}, {21, 22, 23, 24, 25, 26, 27}};
    long[][] pmask = {{0, 0, 0, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1}};
    GenerationOutput out = model.generateWithImageEmbeds(
        Tensors.longs2d(prompt), Tensors.longs2d(pmask), null, null, greedy(5));
    for (int step = 0; step < 5; step++) {
      long[][] cur = new long[2][];
      long[][] curMask = new long[2][];
      for (int r = 0; r < 2; r++) {
        cur[r] = concat(prompt[r], Arrays.copyOf(out.tokens()[r], step));
        curMask[r] = concat(pmask[r], ones(step));
      }
      try (NoGradGuard ng = new NoGradGuard()) {
        Tensor logits = model.forwardWithImageEmbeds(Tensors.longs2d(cur), Tensors.longs2d(curMask), null, null, null);
        long[] pick = Tensors.toLongs(logits.select(1, cur[0].length - 1).argmax(
            new org.bytedeco.pytorch.LongOptional(-1), false));
        assertEquals(pick[0], out.tokens()[0][step], "row 0 step " + step);
        assertEquals(pick[1], out.tokens()[1][step], "row 1 step " + step);
      }
    }
  }

  /** A suppressed id is never chosen; greedy then takes the runner-up, and the other rows are unchanged. */
  @Test
  void suppressedTokensAreNeverChosen() {
    GenerationOutput free = model.generateWithImageEmbeds(ids, mask, vis, grids, greedy(6));
    long banned = free.tokens()[0][0];
    GenerationOutput out = model.generateWithImageEmbeds(ids, mask, vis, grids,
        greedy(6).withSuppressedTokens(banned));
    for (long[] row : out.tokens()) {
      for (long t : row) {
        assertTrue(t != banned, "suppressed id " + banned + " generated: " + Arrays.toString(row));
      }
    }
    try (NoGradGuard ng = new NoGradGuard()) {
      Tensor logits = model.forwardWithImageEmbeds(ids, mask, vis, grids, null);
      Tensor last = logits.select(1, ids.size(1) - 1).select(0, 0);
      long runnerUp = Tensors.toLongs(org.bytedeco.pytorch.global.torch.topk(last, 2).get1())[1];
      assertEquals(runnerUp, out.tokens()[0][0]);
    }
    GenerationOutput sampled = model.generateWithImageEmbeds(ids, mask, vis, grids,
        GenerationConfig.sampling(6, 1.5, 0, 1.0, new long[0], 0, 4, 3)
            .withSuppressedTokens(model.config().visionTokenIds()));
    for (long[] row : sampled.tokens()) {
      for (long t : row) {
        for (long v : model.config().visionTokenIds()) {
          assertTrue(t != v, "vision token " + v + " sampled: " + Arrays.toString(row));
        }
      }
    }
  }

  @Test
  void stopTokensEndRowsAndPadTheRest() {
    long[][] free = model.generateWithImageEmbeds(ids, mask, vis, grids, greedy(8)).tokens();
    long stop = free[0][2];
    int firstStop0 = firstIndex(free[0], stop);
    int firstStop1 = firstIndex(free[1], stop);
    GenerationOutput out = model.generateWithImageEmbeds(ids, mask, vis, grids,
        GenerationConfig.greedy(8, new long[] {stop}, 599));
    assertEquals(firstStop0 + 1, out.lengths()[0]);
    assertEquals(firstStop1 < 0 ? 8 : firstStop1 + 1, out.lengths()[1]);
    int cols = Math.max(out.lengths()[0], out.lengths()[1]);
    for (int r = 0; r < 2; r++) {
      assertEquals(cols, out.tokens()[r].length);
      for (int t = 0; t < cols; t++) {
        assertEquals(t < out.lengths()[r] ? free[r][t] : 599, out.tokens()[r][t], "row " + r + " col " + t);
      }
    }
  }

  @Test
  void samplingIsReproducibleAndRepeatsPrompts() {
    GenerationConfig s = GenerationConfig.sampling(6, 1.5, 0, 1.0, new long[0], 0, 3, 1234);
    GenerationOutput a = model.generateWithImageEmbeds(ids, mask, vis, grids, s);
    GenerationOutput b = model.generateWithImageEmbeds(ids, mask, vis, grids, s);
    assertEquals(6, a.tokens().length);
    assertArrayEquals(a.tokens(), b.tokens());
    GenerationOutput c = model.generateWithImageEmbeds(ids, mask, vis, grids,
        GenerationConfig.sampling(6, 1.5, 0, 1.0, new long[0], 0, 3, 99));
    assertFalse(Arrays.deepEquals(a.tokens(), c.tokens()), "another seed gives other samples");
    // Samples of one prompt differ from each other (same prompt, independent draws).
    assertFalse(Arrays.equals(a.tokens()[0], a.tokens()[1]) && Arrays.equals(a.tokens()[1], a.tokens()[2]));
  }

  @Test
  void topKOneAndTinyTopPAreGreedy() {
    long[][] g = model.generateWithImageEmbeds(ids, mask, vis, grids, greedy(6)).tokens();
    long[][] k1 = model.generateWithImageEmbeds(ids, mask, vis, grids,
        GenerationConfig.sampling(6, 1.0, 1, 1.0, new long[0], 0, 1, 7)).tokens();
    long[][] p0 = model.generateWithImageEmbeds(ids, mask, vis, grids,
        GenerationConfig.sampling(6, 1.0, 0, 1e-6, new long[0], 0, 1, 7)).tokens();
    assertArrayEquals(g, k1);
    assertArrayEquals(g, p0);
  }

  @Test
  void numReturnSequencesWithGreedyRepeatsEachPrompt() {
    long[][] one = model.generateWithImageEmbeds(ids, mask, vis, grids, greedy(4)).tokens();
    long[][] two = model.generateWithImageEmbeds(ids, mask, vis, grids, greedy(4).withNumReturnSequences(2)).tokens();
    assertEquals(4, two.length);
    assertArrayEquals(one[0], two[0]);
    assertArrayEquals(one[0], two[1]);
    assertArrayEquals(one[1], two[2]);
    assertArrayEquals(one[1], two[3]);
  }

  static int firstIndex(long[] a, long v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  static long[] concat(long[] a, long[] b) {
    long[] o = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, o, a.length, b.length);
    return o;
  }

  static long[] ones(int n) {
    long[] o = new long[n];
    Arrays.fill(o, 1);
    return o;
  }
}
