package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The language-model side against transformers' outputs, with the golden vision embeddings injected
 * (so these checks do not depend on the vision tower).
 */
class QwenVLModelGoldenTest {
  static Path dir(String name) {
    return Paths.get("src/test/resources/golden", name);
  }

  static double maxAbs(Tensor a, Tensor b) {
    return a.to(torch.ScalarType.Float).sub(b.to(torch.ScalarType.Float)).abs().max().item_double();
  }

  static double relL2(Tensor a, Tensor b) {
    Tensor d = a.to(torch.ScalarType.Float).sub(b.to(torch.ScalarType.Float));
    return d.norm().item_double() / Math.max(1e-30, b.to(torch.ScalarType.Float).norm().item_double());
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void logitsRopeLogpsAndGradsMatchTransformers(String name) {
    StateDict g = Safetensors.read(dir(name).resolve("golden.safetensors"));
    try (QwenVLModel m = QwenVLModel.load(dir(name).resolve("checkpoint"), Device.CPU)) {
      Tensor ids = g.get("input_ids");
      Tensor mask = g.get("attention_mask");
      Tensor vis = g.get("vision_embeds");
      long[][] grids = Tensors.toLongs2d(g.get("proc_slow.image_grid_thw"));

      RopeIndex.Result r = m.ropeIndex(ids, mask, grids);
      assertArrayEquals(Tensors.toLongs(g.get("position_ids")), r.flat());
      assertArrayEquals(Tensors.toLongs(g.get("rope_deltas")), r.deltas());

      try (NoGradGuard ng = new NoGradGuard()) {
        Tensor logits = m.forwardWithImageEmbeds(ids, mask, vis, grids, null);
        assertArrayEquals(Tensors.shape(g.get("logits")), Tensors.shape(logits));
        double d = maxAbs(logits, g.get("logits"));
        assertTrue(d <= 1e-4, "logits max abs diff " + d);
      }

      Tensor greedy = g.get("greedy_ids");
      GenerationOutput out = m.generateWithImageEmbeds(ids, mask, vis, grids,
          GenerationConfig.greedy((int) greedy.size(1), new long[0], 0));
      assertArrayEquals(Tensors.toLongs2d(greedy), out.tokens());
      assertTrue(m.packedDecodeFloats() > 0, "the decode steps did not run on packed weights (PanelLinear)");

      int promptLen = (int) ids.size(1);
      Tensor full = Tensors.cat(1, ids, greedy);
      Tensor fullMask = Tensors.cat(1, mask, torch.ones_like(greedy));
      Tensor logps = m.completionLogProbsWithImageEmbeds(full, fullMask, vis, grids, promptLen);
      double d = maxAbs(logps, g.get("completion_logps"));
      assertTrue(d <= 1e-4, "completion logps max abs diff " + d);

      logps.sum().backward();
      StateDict p = m.parameters();
      int checked = 0;
      for (String n : g.names()) {
        if (n.startsWith("grad.") && !n.startsWith("grad.visual.")) {
          double e = relL2(p.get(n.substring(5)).grad(), g.get(n));
          assertTrue(e <= 1e-3, n + " relative L2 error " + e);
          checked++;
        }
      }
      assertTrue(checked >= 3, "language-model gradients checked: " + checked);
    }
  }

  /** The whole model from processor patches: vision tower, merge, logits, log-probs, all gradients. */
  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void fullModelFromPixelValuesMatchesTransformers(String name) {
    StateDict g = Safetensors.read(dir(name).resolve("golden.safetensors"));
    try (QwenVLModel m = QwenVLModel.load(dir(name).resolve("checkpoint"), Device.CPU)) {
      Tensor ids = g.get("input_ids");
      Tensor mask = g.get("attention_mask");
      Tensor pv = g.get("proc_slow.pixel_values");
      long[][] grids = Tensors.toLongs2d(g.get("proc_slow.image_grid_thw"));
      try (NoGradGuard ng = new NoGradGuard()) {
        double dv = maxAbs(m.imageEmbeddings(pv, grids), g.get("vision_embeds"));
        assertTrue(dv <= 1e-4, "vision embeds max abs diff " + dv);
        double dl = maxAbs(m.forward(ids, mask, pv, grids, null), g.get("logits"));
        assertTrue(dl <= 1e-4, "logits max abs diff " + dl);
      }
      Tensor greedy = g.get("greedy_ids");
      GenerationOutput out = m.generate(ids, mask, pv, grids,
          GenerationConfig.greedy((int) greedy.size(1), new long[0], 0));
      assertArrayEquals(Tensors.toLongs2d(greedy), out.tokens());
      assertTrue(m.packedDecodeFloats() > 0, "the decode steps did not run on packed weights (PanelLinear)");

      Tensor full = Tensors.cat(1, ids, greedy);
      Tensor fullMask = Tensors.cat(1, mask, torch.ones_like(greedy));
      Tensor logps = m.completionLogProbs(full, fullMask, pv, grids, (int) ids.size(1));
      logps.sum().backward();
      StateDict p = m.parameters();
      int visual = 0;
      for (String n : g.names()) {
        if (n.startsWith("grad.")) {
          double e = relL2(p.get(n.substring(5)).grad(), g.get(n));
          assertTrue(e <= 1e-3, n + " relative L2 error " + e);
          visual += n.startsWith("grad.visual.") ? 1 : 0;
        }
      }
      assertEquals(3, visual);
    }
  }
}
