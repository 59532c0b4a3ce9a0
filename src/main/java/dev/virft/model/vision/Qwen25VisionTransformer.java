package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.QwenVLConfig.VisionConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Qwen2.5-VL's vision encoder (transformers' {@code Qwen2_5_VisionTransformerPretrainedModel}): RMSNorm
 * blocks with a SwiGLU MLP, attention within {@code window_size}-pixel windows except in
 * {@code fullatt_block_indexes}, and an RMSNorm + GELU-MLP merger.
 *
 * <p>transformers permutes the sequence into window order before the blocks and back after the merger.
 * Every operation but attention acts per patch (the merger per merge block, which the permutation moves
 * whole), so this keeps the processor's order throughout and lets the attention gather each window's
 * patches in window order instead: the same result, without the two permutations of the activations.
 */
public final class Qwen25VisionTransformer extends VisionTransformerBase {
  private static final double RMS_EPS = 1e-6;
  private final Set<Integer> fullAttention;

  public Qwen25VisionTransformer(VisionConfig config, Function<String, Tensor> weights) {
    super(VisionChecks.validate(config, QwenVLConfig.Family.QWEN2_5_VL), weights, parameterShapes(config));
    this.fullAttention = new TreeSet<>();
    for (int i : config.fullattBlockIndexes()) {
      fullAttention.add(i);
    }
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
      m.put(p + "norm2.weight", shape(e));
      m.put(p + "attn.qkv.weight", shape(3 * e, e));
      m.put(p + "attn.qkv.bias", shape(3 * e));
      m.put(p + "attn.proj.weight", shape(e, e));
      m.put(p + "attn.proj.bias", shape(e));
      m.put(p + "mlp.gate_proj.weight", shape(i, e));
      m.put(p + "mlp.gate_proj.bias", shape(i));
      m.put(p + "mlp.up_proj.weight", shape(i, e));
      m.put(p + "mlp.up_proj.bias", shape(i));
      m.put(p + "mlp.down_proj.weight", shape(e, i));
      m.put(p + "mlp.down_proj.bias", shape(e));
    }
    m.put("visual.merger.ln_q.weight", shape(e));
    m.put("visual.merger.mlp.0.weight", shape(merged, merged));
    m.put("visual.merger.mlp.0.bias", shape(merged));
    m.put("visual.merger.mlp.2.weight", shape(c.outHiddenSize(), merged));
    m.put("visual.merger.mlp.2.bias", shape(c.outHiddenSize()));
    return m;
  }

  /** Qwen2RMSNorm: normalise in float32, cast back, then scale (the order matters in bf16). */
  @Override
  Tensor norm(Params w, String prefix, Tensor x) {
    Tensor xf = x.to(torch.ScalarType.Float);
    Tensor variance = xf.pow(new Scalar(2.0)).mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
    Tensor normed = xf.mul(variance.add(new Scalar(RMS_EPS)).rsqrt()).to(x.scalar_type());
    return w.get(prefix + ".weight").mul(normed);
  }

  @Override
  Tensor mlp(Params w, String prefix, Tensor x) {
    Tensor gate = Activations.apply(config.hiddenAct(), w.linear(prefix + "gate_proj", x));
    return w.linear(prefix + "down_proj", gate.mul(w.linear(prefix + "up_proj", x)));
  }

  @Override
  boolean windowed(int block) {
    return !fullAttention.contains(block);
  }

  @Override
  int mergedWindow() {
    return VisionChecks.mergedWindow(config);
  }
}
