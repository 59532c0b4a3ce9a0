package dev.virft.model.vision;

import org.bytedeco.pytorch.Tensor;

/** transformers' {@code Qwen2VLVisionBlock} / {@code Qwen2_5_VLVisionBlock}: pre-norm attention and MLP. */
final class VisionBlock {
  private final VisionNorm norm1;
  private final VisionNorm norm2;
  private final VisionAttention attn;
  private final VisionMlp mlp;

  VisionBlock(VisionNorm norm1, VisionNorm norm2, VisionAttention attn, VisionMlp mlp) {
    this.norm1 = norm1;
    this.norm2 = norm2;
    this.attn = attn;
    this.mlp = mlp;
  }

  Tensor forward(Tensor x, AttentionPlan.Bound plan, VisionRotaryEmbedding.CosSin rotary) {
    x = x.add(attn.forward(norm1.forward(x), plan, rotary));
    return x.add(mlp.forward(norm2.forward(x)));
  }
}
