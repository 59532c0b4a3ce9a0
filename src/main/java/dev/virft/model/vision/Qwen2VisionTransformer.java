package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.QwenVLConfig.VisionConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Qwen2-VL's vision encoder (transformers' {@code Qwen2VisionTransformerPretrainedModel}): LayerNorm
 * blocks with an fc1 / {@code hidden_act} / fc2 MLP, attention over each whole frame, and a LayerNorm +
 * GELU-MLP merger.
 */
public final class Qwen2VisionTransformer extends VisionTransformerBase {
  private static final double LN_EPS = 1e-6;

  public Qwen2VisionTransformer(VisionConfig config, Function<String, Tensor> weights) {
    super(VisionChecks.validate(config, QwenVLConfig.Family.QWEN2_VL), weights, parameterShapes(config));
  }

  public static Map<String, long[]> parameterShapes(VisionConfig c) {
    long e = c.embedDim();
    long i = c.intermediateSize();
    long merged = e * c.spatialMergeSize() * c.spatialMergeSize();
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("visual.patch_embed.proj.weight",
        shape(e, c.inChannels(), c.temporalPatchSize(), c.patchSize(), c.patchSize()));
    for (int b = 0; b < c.depth(); b++) {
      String p = "visual.blocks." + b + ".";
      m.put(p + "norm1.weight", shape(e));
      m.put(p + "norm1.bias", shape(e));
      m.put(p + "norm2.weight", shape(e));
      m.put(p + "norm2.bias", shape(e));
      m.put(p + "attn.qkv.weight", shape(3 * e, e));
      m.put(p + "attn.qkv.bias", shape(3 * e));
      m.put(p + "attn.proj.weight", shape(e, e));
      m.put(p + "attn.proj.bias", shape(e));
      m.put(p + "mlp.fc1.weight", shape(i, e));
      m.put(p + "mlp.fc1.bias", shape(i));
      m.put(p + "mlp.fc2.weight", shape(e, i));
      m.put(p + "mlp.fc2.bias", shape(e));
    }
    m.put("visual.merger.ln_q.weight", shape(e));
    m.put("visual.merger.ln_q.bias", shape(e));
    m.put("visual.merger.mlp.0.weight", shape(merged, merged));
    m.put("visual.merger.mlp.0.bias", shape(merged));
    m.put("visual.merger.mlp.2.weight", shape(c.outHiddenSize(), merged));
    m.put("visual.merger.mlp.2.bias", shape(c.outHiddenSize()));
    return m;
  }

  @Override
  Tensor norm(Params w, String prefix, Tensor x) {
    return torch.layer_norm(x, new long[] {config.embedDim()},
        new TensorOptional(w.get(prefix + ".weight")), new TensorOptional(w.get(prefix + ".bias")),
        LN_EPS, false);
  }

  @Override
  Tensor mlp(Params w, String prefix, Tensor x) {
    return w.linear(prefix + "fc2", Activations.apply(config.hiddenAct(), w.linear(prefix + "fc1", x)));
  }

  @Override
  boolean windowed(int block) {
    return false;
  }

  @Override
  int mergedWindow() {
    return 0;
  }
}
