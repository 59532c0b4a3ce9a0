package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.model.nn.Linear;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.nn.WeightCast;
import org.bytedeco.pytorch.Tensor;

/**
 * transformers' {@code VisionAttention} (Qwen2-VL) / {@code Qwen2_5_VLVisionAttention}: one qkv
 * projection, the 2-D rotary on q and k, attention within the segments of an {@link AttentionPlan}
 * (frames or windows, transformers' {@code cu_seqlens}), and the output projection.
 */
final class VisionAttention {
  private final int heads;
  private final int headDim;
  private final Linear qkv;
  private final Linear proj;

  VisionAttention(VisionConfig c, WeightCast cast, WeightBinder b) {
    this.heads = c.numHeads();
    this.headDim = c.headDim();
    long e = c.embedDim();
    qkv = Linear.bind(cast, b, "qkv", 3 * e, e, true);
    proj = Linear.bind(cast, b, "proj", e, e, true);
  }

  Tensor forward(Tensor x, AttentionPlan.Bound plan, VisionRotaryEmbedding.CosSin rotary) {
    long seq = x.size(0);
    Tensor qkvOut = qkv.forward(x).view(seq, 3, heads, headDim);
    Tensor q = VisionRotaryEmbedding.apply(qkvOut.select(1, 0), rotary);
    Tensor k = VisionRotaryEmbedding.apply(qkvOut.select(1, 1), rotary);
    Tensor v = qkvOut.select(1, 2);
    return proj.forward(plan.attend(q, k, v));
  }
}
