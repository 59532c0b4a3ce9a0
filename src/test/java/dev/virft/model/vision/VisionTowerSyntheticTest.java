package dev.virft.model.vision;

import static dev.virft.model.vision.VisionTestSupport.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.model.QwenVLConfig.Family;
import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.util.VirftException;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** Properties of the towers on random weights and grids the golden fixtures do not cover. */
class VisionTowerSyntheticTest {
  /** window 56 px = 2 merged tokens, so 5 x 7 and 3 x 2 merged grids need padded windows. */
  static final VisionConfig QWEN25_W2 = new VisionConfig(Family.QWEN2_5_VL, 3, 32, 48, 64, 2, 3, 14, 2, 2,
      "silu", 56, new int[] {1}, 2);
  /** window 112 px = 4 merged tokens, full attention first and last, 4 heads. */
  static final VisionConfig QWEN25_W4 = new VisionConfig(Family.QWEN2_5_VL, 3, 32, 40, 48, 4, 3, 14, 2, 2,
      "silu", 112, new int[] {0, 2}, 2);
  static final VisionConfig QWEN2 = new VisionConfig(Family.QWEN2_VL, 2, 32, 48, 64, 2, 3, 14, 2, 2,
      "quick_gelu", 0, new int[0], 0);

  static final long[][] TWO_IMAGES = {{1, 10, 14}, {1, 6, 4}};

  @Test
  void qwen25BatchOfTwoEqualsEachImageAlone() {
    assertBatchEqualsSeparate(QWEN25_W2, TWO_IMAGES);
    assertBatchEqualsSeparate(QWEN25_W4, new long[][] {{1, 10, 14}, {1, 4, 18}, {1, 8, 8}});
  }

  @Test
  void qwen2BatchOfTwoEqualsEachImageAlone() {
    assertBatchEqualsSeparate(QWEN2, TWO_IMAGES);
    assertBatchEqualsSeparate(QWEN2, new long[][] {{1, 8, 8}, {1, 8, 8}}); // one group, no gather
  }

  private static void assertBatchEqualsSeparate(VisionConfig cfg, long[][] grid) {
    Map<String, Tensor> w = VisionTestSupport.randomWeights(cfg, 7);
    VisionTransformer tower = VisionTransformer.create(cfg, w::get);
    torch.manual_seed(11);
    Tensor pixels = torch.randn(VisionTestSupport.patches(grid), cfg.patchDim());
    Tensor batched = tower.forward(pixels, grid);
    int mm = cfg.spatialMergeSize() * cfg.spatialMergeSize();
    assertArrayEquals(new long[] {VisionTestSupport.patches(grid) / mm, cfg.outHiddenSize()},
        batched.sizes().vec().get());
    long patchOffset = 0;
    long tokenOffset = 0;
    for (long[] g : grid) {
      long n = g[0] * g[1] * g[2];
      Tensor alone = tower.forward(pixels.narrow(0, patchOffset, n), new long[][] {g});
      double diff = maxAbsDiff(alone, batched.narrow(0, tokenOffset, n / mm));
      assertTrue(diff <= 1e-5, cfg.family() + " image " + java.util.Arrays.toString(g) + " diff " + diff);
      patchOffset += n;
      tokenOffset += n / mm;
    }
  }

  /**
   * With every block windowed, changing one patch can only move the merged tokens of its own window;
   * one full-attention block spreads it over the whole image.
   */
  @Test
  void windowAttentionStaysInsideTheWindow() {
    long[][] grid = {{1, 8, 12}}; // merged 4 x 6 -> 2 x 3 windows of 2 x 2 merged tokens
    VisionConfig windowsOnly = new VisionConfig(Family.QWEN2_5_VL, 2, 32, 48, 64, 2, 3, 14, 2, 2,
        "silu", 56, new int[0], 2);
    VisionConfig oneFull = new VisionConfig(Family.QWEN2_5_VL, 2, 32, 48, 64, 2, 3, 14, 2, 2,
        "silu", 56, new int[] {1}, 2);
    torch.manual_seed(3);
    Tensor pixels = torch.randn(96, 1176);
    Tensor changed = pixels.clone();
    // Patch 5 is in merge block 1 (merged row 0, column 1): window 0 = merged rows 0-1, columns 0-1.
    changed.narrow(0, 5, 1).add_(new Scalar(1.0));
    long[] window0 = {0, 1, 6, 7};

    Map<String, Tensor> w = VisionTestSupport.randomWeights(windowsOnly, 5);
    Tensor delta = VisionTransformer.create(windowsOnly, w::get).forward(changed, grid)
        .sub(VisionTransformer.create(windowsOnly, w::get).forward(pixels, grid)).abs().amax(new long[] {1}, false);
    for (int tok = 0; tok < 24; tok++) {
      final long merged = tok;
      boolean inside = java.util.Arrays.stream(window0).anyMatch(t -> t == merged);
      double d = delta.get(tok).item_double();
      if (inside) {
        assertTrue(d > 1e-4, "token " + tok + " in the changed window moved only " + d);
      } else {
        assertEquals(0.0, d, 1e-6, "token " + tok + " outside the changed window moved");
      }
    }
    Tensor deltaFull = VisionTransformer.create(oneFull, w::get).forward(changed, grid)
        .sub(VisionTransformer.create(oneFull, w::get).forward(pixels, grid)).abs().amax(new long[] {1}, false);
    for (int tok = 0; tok < 24; tok++) {
      assertTrue(deltaFull.get(tok).item_double() > 1e-6, "full attention did not reach token " + tok);
    }
  }

  @Test
  void badInputsAreClearErrors() {
    Map<String, Tensor> w = VisionTestSupport.randomWeights(QWEN25_W2, 1);
    VisionTransformer tower = VisionTransformer.create(QWEN25_W2, w::get);
    VirftException e = assertThrows(VirftException.class,
        () -> tower.forward(torch.zeros(10, 1176), new long[][] {{1, 4, 4}}));
    assertTrue(e.getMessage().contains("pixel_values has shape [10, 1176], expected [16, 1176]"), e.getMessage());
    e = assertThrows(VirftException.class, () -> tower.forward(torch.zeros(12, 1176), new long[][] {{1, 3, 4}}));
    assertTrue(e.getMessage().contains("image_grid_thw[0]"), e.getMessage());

    Map<String, Tensor> missing = new HashMap<>(w);
    missing.remove("visual.blocks.2.mlp.up_proj.bias");
    e = assertThrows(VirftException.class, () -> VisionTransformer.create(QWEN25_W2, missing::get));
    assertTrue(e.getMessage().contains("visual.blocks.2.mlp.up_proj.bias is missing"), e.getMessage());

    Map<String, Tensor> misshapen = new HashMap<>(w);
    misshapen.put("visual.merger.mlp.2.weight", torch.zeros(47, 128));
    e = assertThrows(VirftException.class, () -> VisionTransformer.create(QWEN25_W2, misshapen::get));
    assertTrue(e.getMessage().contains("visual.merger.mlp.2.weight has shape [47, 128], expected [48, 128]"),
        e.getMessage());

    VisionConfig badIndex = new VisionConfig(Family.QWEN2_5_VL, 3, 32, 48, 64, 2, 3, 14, 2, 2,
        "silu", 56, new int[] {3}, 2);
    e = assertThrows(VirftException.class, () -> VisionTransformer.create(badIndex, w::get));
    assertTrue(e.getMessage().contains("fullatt_block_indexes holds 3"), e.getMessage());
    VisionConfig badAct = new VisionConfig(Family.QWEN2_VL, 2, 32, 48, 64, 2, 3, 14, 2, 2,
        "tanh", 0, new int[0], 0);
    e = assertThrows(VirftException.class, () -> VisionTransformer.create(badAct, w::get));
    assertTrue(e.getMessage().contains("hidden_act is 'tanh'"), e.getMessage());
  }

  /**
   * A lookup may make and cache tensors on first use (e.g. bf16 casts of float32 masters): those must
   * survive the forward's own pointer scope; the result belongs to the caller's scope.
   */
  @Test
  void lazilyCachedWeightsAndCallerScopesSurviveForward() {
    Map<String, Tensor> base = VisionTestSupport.randomWeights(QWEN2, 3);
    Map<String, Tensor> cache = new HashMap<>();
    VisionTransformer tower = VisionTransformer.create(QWEN2,
        name -> cache.computeIfAbsent(name, k -> base.get(k).mul(new Scalar(1.0))));
    cache.clear();
    long[][] grid = {{1, 4, 6}};
    torch.manual_seed(2);
    Tensor pixels = torch.randn(24, 1176);
    Tensor first = tower.forward(pixels, grid);
    Tensor second = tower.forward(pixels, grid);
    assertEquals(0.0, maxAbsDiff(first, second), 0.0);
    Tensor inScope;
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
      inScope = tower.forward(pixels, grid);
      assertEquals(0.0, maxAbsDiff(first, inScope), 0.0);
    }
    assertTrue(inScope.isNull(), "the caller's scope should own and free the result");
  }

  /**
   * Configurations shaped like the held-out dumps (window 112 px, full attention in blocks 0 and 2,
   * output width 96, three images of which one is a single window, a two-frame grid) against a literal
   * transcription of transformers' forward.
   */
  @Test
  void matchesALiteralTranscriptionOfTransformersOnOtherShapes() {
    long[][] grid = {{1, 4, 4}, {1, 22, 18}, {1, 8, 14}, {2, 4, 6}};
    VisionConfig qwen25 = new VisionConfig(Family.QWEN2_5_VL, 4, 32, 96, 64, 2, 3, 14, 2, 2,
        "silu", 112, new int[] {0, 2}, 2);
    VisionConfig qwen2 = new VisionConfig(Family.QWEN2_VL, 2, 32, 96, 64, 2, 3, 14, 2, 2,
        "quick_gelu", 0, new int[0], 0);
    VisionConfig qwen25FourHeads = new VisionConfig(Family.QWEN2_5_VL, 3, 64, 48, 96, 4, 3, 14, 2, 2,
        "silu", 56, new int[] {1}, 2);
    for (VisionConfig cfg : new VisionConfig[] {qwen25, qwen2, qwen25FourHeads}) {
      Map<String, Tensor> w = VisionTestSupport.randomWeights(cfg, 17);
      torch.manual_seed(19);
      Tensor pixels = torch.randn(VisionTestSupport.patches(grid), cfg.patchDim());
      Tensor ours = VisionTransformer.create(cfg, w::get).forward(pixels, grid);
      Tensor reference = TransformersVisionReference.forward(cfg, w, pixels, grid);
      double diff = maxAbsDiff(ours, reference);
      assertTrue(diff <= 1e-5, cfg.family() + " heads " + cfg.numHeads() + " diff " + diff);
      assertTrue(reference.abs().max().item_double() > 0.1, "reference output is flat");
    }
  }
}
