package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** One prefill per prompt shared by its samples, and each prompt's samples depending only on its seed. */
class SharedPromptAndSeedsTest {
  static final Path DIR = Paths.get("src/test/resources/golden/qwen2_vl");

  /** The prompt run once for G completions gives the log-probs and gradients of G full passes. */
  @Test
  void sharedPromptLogProbsEqualRepeatedPrompts() {
    GoldenSharedPrompt gp = GoldenSharedPrompt.load();
    try (QwenVLModel m = QwenVLModel.load(DIR.resolve("checkpoint"), Device.CPU)) {
      Tensor ids = gp.ids();
      Tensor mask = gp.mask();
      Tensor mine = gp.imageEmbeds();
      long[][] myGrid = gp.grid();
      int g = 3;
      long[][] compl = {{5, 9, 17, 3, 44}, {8, 8, 8, 2, 1}, {60, 7, 31, 12, 90}};
      Tensor c = Tensors.longs2d(compl);
      int l = (int) ids.size(1);

      Tensor shared = m.completionLogProbsSharedPrompt(ids, mask, mine, myGrid, c);
      shared.sum().backward();
      String[] names = {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
          "model.layers.1.mlp.down_proj.weight"};
      Tensor[] sharedGrads = new Tensor[names.length];
      for (int i = 0; i < names.length; i++) {
        sharedGrads[i] = m.parameters().get(names[i]).grad().clone();
      }
      m.zeroGrad();

      Tensor full = Tensors.cat(1, ids.repeat(g, 1), c);
      Tensor fullMask = Tensors.cat(1, mask.repeat(g, 1), torch.ones_like(c));
      Tensor reps = Tensors.cat(0, mine, mine, mine);
      Tensor ref = m.completionLogProbsWithImageEmbeds(full, fullMask, reps, new long[][] {gp.gridRow(), gp.gridRow(), gp.gridRow()}, l);
      ref.sum().backward();
      assertArrayEquals(Tensors.shape(ref), Tensors.shape(shared));
      double d = ref.sub(shared).abs().max().item_double();
      assertTrue(d <= 1e-5, "log-prob max abs diff " + d);
      for (int i = 0; i < names.length; i++) {
        Tensor want = m.parameters().get(names[i]).grad();
        double rel = want.sub(sharedGrads[i]).norm().item_double() / want.norm().item_double();
        assertTrue(rel <= 1e-4, names[i] + " gradient relative L2 error " + rel);
      }
    }
  }

  /** Prompt A's samples for its seed are the same alone or batched with B, and with rows dropped as they stop. */
  @Test
  void samplesDependOnlyOnTheirPromptsSeed() {
    try (QwenVLModel m = QwenVLModel.load(DIR.resolve("checkpoint"), Device.CPU)) {
      long[][] both = {{0, 0, 0, 11, 12, 13, 14}, {21, 22, 23, 24, 25, 26, 27}};
      long[][] bothMask = {{0, 0, 0, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1}};
      GenerationConfig s = GenerationConfig.sampling(6, 1.5, 0, 1.0, new long[0], 0, 3, 0);
      long[][] together = m.generateWithImageEmbeds(Tensors.longs2d(both), Tensors.longs2d(bothMask), null, null, s,
          new long[] {11, 22}).tokens();
      long[][] a = m.generateWithImageEmbeds(Tensors.longs2d(new long[][] {{11, 12, 13, 14}}), null, null, null, s,
          new long[] {11}).tokens();
      long[][] b = m.generateWithImageEmbeds(Tensors.longs2d(new long[][] {both[1]}), null, null, null, s,
          new long[] {22}).tokens();
      for (int r = 0; r < 3; r++) {
        assertArrayEquals(a[r], together[r], "prompt A sample " + r);
        assertArrayEquals(b[r], together[3 + r], "prompt B sample " + r);
      }
      // A stop id that ends some rows early: they leave the batch, the others draw what they drew before.
      long stop = together[0][1];
      GenerationOutput stopped = m.generateWithImageEmbeds(Tensors.longs2d(both), Tensors.longs2d(bothMask), null, null,
          GenerationConfig.sampling(6, 1.5, 0, 1.0, new long[] {stop}, 599, 3, 0), new long[] {11, 22});
      int ended = 0;
      for (int r = 0; r < 6; r++) {
        int len = stopped.lengths()[r];
        ended += len < 6 ? 1 : 0;
        assertArrayEquals(Arrays.copyOf(together[r], len), Arrays.copyOf(stopped.tokens()[r], len), "row " + r);
        for (int j = len; j < stopped.tokens()[r].length; j++) {
          assertEquals(599, stopped.tokens()[r][j]);
        }
      }
      assertTrue(ended >= 1, "the stop id ended at least row 0 early");
    }
  }

  /** Greedy decoding through the device-side loop still equals a full forward per step (no cache). */
  @Test
  void greedyIdsAreTheArgmaxOfFullPasses() {
    try (QwenVLModel m = QwenVLModel.load(DIR.resolve("checkpoint"), Device.CPU); NoGradGuard ng = new NoGradGuard()) {
      long[] prompt = {3, 14, 15, 92, 65};
      long[] out = m.generateWithImageEmbeds(Tensors.longs2d(new long[][] {prompt}), null, null, null,
          GenerationConfig.greedy(5, new long[0], 0)).tokens()[0];
      long[] cur = prompt;
      for (int s = 0; s < 5; s++) {
        Tensor logits = m.forwardWithImageEmbeds(Tensors.longs2d(new long[][] {cur}), null, null, null, null);
        long pick = logits.select(1, cur.length - 1).argmax(new org.bytedeco.pytorch.LongOptional(-1), false).item_long();
        assertEquals(pick, out[s], "step " + s);
        cur = Arrays.copyOf(cur, cur.length + 1);
        cur[cur.length - 1] = pick;
      }
    }
  }
}
