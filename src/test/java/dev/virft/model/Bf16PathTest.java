package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.tensor.Device;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The CUDA precision path (bf16 compute over float32 masters), run on the CPU through
 * {@code virft.cpu.bf16}: forward, generation, log-probs and gradients work and stay close to float32.
 */
class Bf16PathTest {
  static final Path DIR = Paths.get("src/test/resources/golden/qwen2_5_vl");

  @Test
  void bf16ComputeStaysCloseToReference() {
    StateDict g = Safetensors.read(DIR.resolve("golden.safetensors"));
    Tensor ids = g.get("input_ids");
    Tensor mask = g.get("attention_mask");
    Tensor pv = g.get("proc_slow.pixel_values");
    long[][] grids = Tensors.toLongs2d(g.get("proc_slow.image_grid_thw"));
    System.setProperty("virft.cpu.bf16", "true");
    try (QwenVLModel m = QwenVLModel.load(DIR.resolve("checkpoint"), Device.CPU)) {
      assertEquals(torch.ScalarType.Float.value, m.parameters().get("model.norm.weight").scalar_type().value);
      try (NoGradGuard ng = new NoGradGuard()) {
        Tensor logits = m.forward(ids, mask, pv, grids, null);
        assertEquals(torch.ScalarType.Float.value, logits.scalar_type().value);
        Tensor want = g.get("logits");
        // Relative to the logits' spread: bf16 keeps ~3 significant digits through the layers.
        double err = logits.sub(want).abs().max().item_double();
        double scale = want.abs().max().item_double();
        System.out.println("bf16 (CPU) logits max abs diff " + err + ", max |logit| " + scale);
        assertTrue(err < 0.1 * scale, "bf16 logits max abs diff " + err + " (scale " + scale + ")");
      }
      GenerationOutput out = m.generate(ids, mask, pv, grids, GenerationConfig.greedy(4, new long[0], 0));
      assertEquals(2, out.tokens().length);
      Tensor greedy = g.get("greedy_ids");
      Tensor logps = m.completionLogProbs(Tensors.cat(1, ids, greedy),
          Tensors.cat(1, mask, torch.ones_like(greedy)), pv, grids, (int) ids.size(1));
      logps.sum().backward();
      Tensor grad = m.parameters().get("visual.patch_embed.proj.weight").grad();
      assertEquals(torch.ScalarType.Float.value, grad.scalar_type().value, "gradients land on the float32 masters");
      assertTrue(grad.abs().sum().item_double() > 0);
    } finally {
      System.clearProperty("virft.cpu.bf16");
    }
  }

  /** No-grad passes reuse bf16 weight copies; an in-place update of a master (an optimizer step) is seen. */
  @Test
  void keptBf16CopiesFollowMasterUpdates() {
    StateDict g = Safetensors.read(DIR.resolve("golden.safetensors"));
    Tensor ids = g.get("input_ids");
    Tensor mask = g.get("attention_mask");
    System.setProperty("virft.cpu.bf16", "true");
    try (QwenVLModel m = QwenVLModel.load(DIR.resolve("checkpoint"), Device.CPU)) {
      Tensor before;
      Tensor after;
      try (NoGradGuard ng = new NoGradGuard()) {
        before = m.forwardWithImageEmbeds(ids, mask, g.get("vision_embeds"),
            Tensors.toLongs2d(g.get("proc_slow.image_grid_thw")), null);
        m.parameters().get("model.norm.weight").mul_(new org.bytedeco.pytorch.Scalar(1.5));
        after = m.forwardWithImageEmbeds(ids, mask, g.get("vision_embeds"),
            Tensors.toLongs2d(g.get("proc_slow.image_grid_thw")), null);
      }
      // With gradients on, nothing is kept: this pass casts the updated master afresh.
      Tensor fresh = m.forwardWithImageEmbeds(ids, mask, g.get("vision_embeds"),
          Tensors.toLongs2d(g.get("proc_slow.image_grid_thw")), null).detach();
      assertTrue(before.sub(after).abs().max().item_double() > 1e-3, "the update changed the logits");
      assertEquals(0.0, after.sub(fresh).abs().max().item_double(), "the kept copy followed the update");
    } finally {
      System.clearProperty("virft.cpu.bf16");
    }
  }

  /** A frozen reference keeps its weights in bf16 only and computes what the float32-master model computes. */
  @Test
  void frozenModelHoldsComputeDtypeWeights() {
    StateDict g = Safetensors.read(DIR.resolve("golden.safetensors"));
    Tensor ids = g.get("input_ids");
    Tensor mask = g.get("attention_mask");
    Tensor pv = g.get("proc_slow.pixel_values");
    long[][] grids = Tensors.toLongs2d(g.get("proc_slow.image_grid_thw"));
    System.setProperty("virft.cpu.bf16", "true");
    try (QwenVLModel masters = QwenVLModel.load(DIR.resolve("checkpoint"), Device.CPU);
        QwenVLModel frozen = QwenVLModel.load(DIR.resolve("checkpoint"), Device.CPU)) {
      frozen.freezeInComputeDtype();
      for (Tensor p : frozen.parameters().asMap().values()) {
        assertEquals(torch.ScalarType.BFloat16.value, p.scalar_type().value);
        assertTrue(!p.requires_grad());
      }
      try (NoGradGuard ng = new NoGradGuard()) {
        Tensor want = masters.forward(ids, mask, pv, grids, null);
        Tensor got = frozen.forward(ids, mask, pv, grids, null);
        assertEquals(0.0, want.sub(got).abs().max().item_double());
      }
    } finally {
      System.clearProperty("virft.cpu.bf16");
    }
  }
}
