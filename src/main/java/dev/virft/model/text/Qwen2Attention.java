package dev.virft.model.text;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.nn.ComputeWeights;
import dev.virft.model.nn.FusedLinear;
import dev.virft.model.nn.Linear;
import dev.virft.model.nn.RotaryEmbedding;
import dev.virft.model.nn.WeightBinder;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code Qwen2VLAttention}: grouped-query attention with q/k/v biases and multimodal
 * rotary embeddings, {@code scaled_dot_product_attention} with an additive mask. q, k and v are one
 * {@link FusedLinear}: one projection (and one rotary for q and k together) in every no-grad pass,
 * float32 included (9 fewer native ops per layer for a kept copy of the q/k/v weights, about 7 % of a
 * layer's); transformers' three modules in training passes.
 */
public final class Qwen2Attention {
  private final int layer;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final FusedLinear qkvProj;
  private final Linear oProj;

  Qwen2Attention(int layer, QwenVLConfig.TextConfig t, ComputeWeights weights, WeightBinder b) {
    this.layer = layer;
    this.heads = t.numAttentionHeads();
    this.kvHeads = t.numKeyValueHeads();
    this.headDim = t.headDim();
    long h = t.hiddenSize();
    long q = (long) heads * headDim;
    long kv = (long) kvHeads * headDim;
    qkvProj = new FusedLinear(weights, () -> !GradMode.is_enabled(),
        Linear.bind(weights, b, "q_proj", q, h, true),
        Linear.bind(weights, b, "k_proj", kv, h, true),
        Linear.bind(weights, b, "v_proj", kv, h, true));
    oProj = Linear.bind(weights, b, "o_proj", h, q, false);
  }

  /** q_proj, k_proj, v_proj, o_proj: the modules LoRA may target. */
  Linear[] linears() {
    return new Linear[] {qkvProj.part(0), qkvProj.part(1), qkvProj.part(2), oProj};
  }

  /**
   * @param cosSin cos and signed sin [B, 1, L, headDim] ({@link MultimodalRotaryEmbedding})
   * @param mask [B, 1, L, K] additive (0 = attend, the dtype's minimum = blocked)
   */
  Tensor forward(Tensor x, Tensor[] cosSin, Tensor mask, KeyValues cache) {
    long b = x.size(0);
    long l = x.size(1);
    Tensor[] qkv = qkvProj.forward(x).heads(b, l, headDim, 2, s -> RotaryEmbedding.apply(s, cosSin[0], cosSin[1]));
    Tensor q = qkv[0];
    Tensor k = qkv[1];
    Tensor v = qkv[2];
    if (cache != null) {
      Tensor[] kvs = cache.append(layer, k, v);
      k = kvs[0];
      v = kvs[1];
    }
    Tensor o = torch.scaled_dot_product_attention(
        q, k, v, new TensorOptional(mask), 0.0, false, new DoubleOptional(), kvHeads != heads);
    o = o.transpose(1, 2).reshape(b, l, (long) heads * headDim);
    return oProj.forward(o);
  }
}
