package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import java.nio.file.Paths;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Shapes the golden dumps do not have (the held-out variant of the reference script: 6 heads over 3 KV
 * heads, 3 layers, mrope_section [4, 2, 2], tying flipped), on random weights: the KV-cache path and
 * the log-prob path must agree with a plain full forward.
 */
class HeldOutShapeTest {
  static QwenVLConfig heldOut(String family) {
    ObjectNode o = QwenVLConfig.read(Paths.get("src/test/resources/golden", family, "checkpoint")).toHubJson();
    o.put("hidden_size", 96).put("intermediate_size", 160).put("num_attention_heads", 6)
        .put("num_key_value_heads", 3).put("num_hidden_layers", 3)
        .put("tie_word_embeddings", !o.get("tie_word_embeddings").asBoolean());
    ((ObjectNode) o.get("rope_scaling")).putArray("mrope_section").add(4).add(2).add(2);
    ObjectNode v = (ObjectNode) o.get("vision_config");
    v.put(family.equals("qwen2_vl") ? "hidden_size" : "out_hidden_size", 96);
    return QwenVLConfig.parse(o, "held-out " + family);
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void cacheAndLogProbsAgreeWithFullForward(String family) {
    QwenVLConfig cfg = heldOut(family);
    long vs = cfg.visionStartTokenId();
    long im = cfg.imageTokenId();
    long ve = cfg.visionEndTokenId();
    // Three left-padded prompts, one image each (grids 1x2x2, 1x4x2, 1x2x6 -> 1, 2, 3 pads).
    long[][] ids = {
      {0, 0, 0, 0, 5, vs, im, ve, 6, 7},
      {0, 0, 8, vs, im, im, ve, 9, 10, 11},
      {12, 13, vs, im, im, im, ve, 14, 15, 16}};
    long[][] mask = {
      {0, 0, 0, 0, 1, 1, 1, 1, 1, 1},
      {0, 0, 1, 1, 1, 1, 1, 1, 1, 1},
      {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
    long[][] grids = {{1, 2, 2}, {1, 4, 2}, {1, 2, 6}};
    try (QwenVLModel m = QwenVLModel.randomInit(cfg, Device.CPU, 3);
        NoGradGuard ng = new NoGradGuard()) {
      Tensor images = torch.randn(6, 96).mul(new org.bytedeco.pytorch.Scalar(0.5));
      long[] next = {21, 22, 23};
      long[][] full = new long[3][];
      long[][] fullMask = new long[3][];
      for (int r = 0; r < 3; r++) {
        full[r] = java.util.Arrays.copyOf(ids[r], 11);
        full[r][10] = next[r];
        fullMask[r] = java.util.Arrays.copyOf(mask[r], 11);
        fullMask[r][10] = 1;
      }
      Tensor whole = m.forwardWithImageEmbeds(Tensors.longs2d(full), Tensors.longs2d(fullMask), images, grids, null);

      try (KVCache cache = new KVCache(cfg, 3, 16, Device.CPU)) {
        Tensor prefill = m.forwardWithImageEmbeds(Tensors.longs2d(ids), Tensors.longs2d(mask), images, grids, cache);
        Tensor step = m.forwardWithImageEmbeds(Tensors.longs(next, 3, 1), Tensors.longs2d(fullMask), null, null, cache);
        // Padding rows attend uniformly over every key (as in transformers), so they depend on the key
        // count; only real positions must agree.
        Tensor real = Tensors.longs2d(mask).unsqueeze(-1).to(torch.ScalarType.Float);
        double d1 = prefill.sub(whole.narrow(1, 0, 10)).abs().mul(real).max().item_double();
        double d2 = step.sub(whole.narrow(1, 10, 1)).abs().max().item_double();
        assertTrue(d1 < 1e-5 && d2 < 1e-5, "prefill " + d1 + ", decode step " + d2);
      }

      Tensor logps = m.completionLogProbsWithImageEmbeds(Tensors.longs2d(full), Tensors.longs2d(fullMask),
          images, grids, 10);
      Tensor expected = torch.log_softmax(whole.select(1, 9), -1)
          .gather(1, Tensors.longs(next, 3, 1)).squeeze(-1);
      assertArrayEquals(Tensors.toFloats(expected), Tensors.toFloats(logps.squeeze(-1)), 1e-5f);
    }
  }
}
