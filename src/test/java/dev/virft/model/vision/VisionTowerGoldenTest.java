package dev.virft.model.vision;

import static dev.virft.model.vision.VisionTestSupport.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.model.QwenVLConfig;
import dev.virft.tensor.StateDict;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The towers against transformers 5.17's output on the golden fixtures (tolerance from the README). */
class VisionTowerGoldenTest {
  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void visionEmbedsMatchTransformers(String arch) {
    QwenVLConfig cfg = VisionTestSupport.config(arch);
    StateDict weights = VisionTestSupport.checkpoint(arch);
    StateDict golden = VisionTestSupport.goldenTensors(arch);
    VisionTransformer tower = VisionTransformer.create(cfg.vision(), weights::getOrNull);
    Class<?> expectedClass = arch.equals("qwen2_vl") ? Qwen2VisionTransformer.class : Qwen25VisionTransformer.class;
    assertEquals(expectedClass, tower.getClass());

    long[][] grid = VisionTestSupport.grid(golden.get("proc_slow.image_grid_thw"));
    Tensor out = tower.forward(golden.get("proc_slow.pixel_values"), grid);
    Tensor expected = golden.get("vision_embeds");
    assertArrayEquals(expected.sizes().vec().get(), out.sizes().vec().get());
    double diff = maxAbsDiff(out, expected);
    System.out.println(arch + " vision_embeds max abs diff " + diff);
    assertTrue(diff <= 1e-4, arch + " vision_embeds max abs diff " + diff);
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void backwardReachesEveryWeightWithFiniteGradients(String arch) {
    QwenVLConfig cfg = VisionTestSupport.config(arch);
    StateDict ckpt = VisionTestSupport.checkpoint(arch);
    StateDict golden = VisionTestSupport.goldenTensors(arch);
    Map<String, Tensor> params = new HashMap<>();
    for (String name : VisionTransformer.parameterShapes(cfg.vision()).keySet()) {
      params.put(name, ckpt.get(name).clone().set_requires_grad(true));
    }
    VisionTransformer tower = VisionTransformer.create(cfg.vision(), params::get);
    Tensor out = tower.forward(golden.get("proc_slow.pixel_values"),
        VisionTestSupport.grid(golden.get("proc_slow.image_grid_thw")));
    // A loss that weighs every output element differently, so no gradient cancels by symmetry.
    Tensor weightsForLoss = golden.get("vision_embeds").sin();
    out.mul(weightsForLoss).sum().backward();
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      Tensor g = e.getValue().grad();
      assertTrue(g != null && g.defined(), e.getKey() + " got no gradient");
      assertArrayEquals(e.getValue().sizes().vec().get(), g.sizes().vec().get(), e.getKey());
      assertTrue(g.isfinite().all().item_bool(), e.getKey() + " has a non-finite gradient");
      assertTrue(g.abs().max().item_double() > 0, e.getKey() + " has an all-zero gradient");
    }
  }

  /**
   * The dtype path the CUDA run takes (bf16 weights, float32 rotary and RMSNorm statistics), here on the
   * CPU: output stays bf16 and close to the float32 reference at bf16 precision.
   */
  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void runsInBfloat16(String arch) {
    QwenVLConfig cfg = VisionTestSupport.config(arch);
    StateDict ckpt = VisionTestSupport.checkpoint(arch);
    StateDict golden = VisionTestSupport.goldenTensors(arch);
    Map<String, Tensor> bf16 = new HashMap<>();
    for (String name : VisionTransformer.parameterShapes(cfg.vision()).keySet()) {
      bf16.put(name, ckpt.get(name).to(torch.ScalarType.BFloat16));
    }
    Tensor out = VisionTransformer.create(cfg.vision(), bf16::get).forward(golden.get("proc_slow.pixel_values"),
        VisionTestSupport.grid(golden.get("proc_slow.image_grid_thw")));
    assertEquals(torch.ScalarType.BFloat16, out.scalar_type().intern());
    Tensor expected = golden.get("vision_embeds");
    double diff = maxAbsDiff(out.to(torch.ScalarType.Float), expected);
    double scale = expected.abs().max().item_double();
    System.out.println(arch + " bf16 max abs diff " + diff + " (max |x| " + scale + ")");
    assertTrue(diff <= 0.05 * scale, arch + " bf16 diff " + diff + " vs scale " + scale);
  }

  /** The test-side transcription used on other shapes is itself faithful to transformers. */
  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void literalTranscriptionMatchesTransformersToo(String arch) {
    QwenVLConfig cfg = VisionTestSupport.config(arch);
    StateDict ckpt = VisionTestSupport.checkpoint(arch);
    StateDict golden = VisionTestSupport.goldenTensors(arch);
    Tensor out = TransformersVisionReference.forward(cfg.vision(), ckpt.asMap(),
        golden.get("proc_slow.pixel_values"), VisionTestSupport.grid(golden.get("proc_slow.image_grid_thw")));
    double diff = maxAbsDiff(out, golden.get("vision_embeds"));
    assertTrue(diff <= 1e-4, arch + " transcription diff " + diff);
  }
}
