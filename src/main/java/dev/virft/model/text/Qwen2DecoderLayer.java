package dev.virft.model.text;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.nn.ComputeWeights;
import dev.virft.model.nn.Linear;
import dev.virft.model.nn.Qwen2RMSNorm;
import dev.virft.model.nn.WeightBinder;
import org.bytedeco.pytorch.Tensor;

/** transformers' {@code Qwen2VLDecoderLayer}: pre-norm attention and MLP, each with a residual. */
public final class Qwen2DecoderLayer {
  private final ComputeWeights weights;
  private final double eps;
  private final Qwen2Attention selfAttn;
  private final Qwen2MLP mlp;
  private final Tensor inputLayernorm;
  private final Tensor postAttentionLayernorm;

  /** Binds {@code self_attn.*}, {@code mlp.*} and the two norms, in the checkpoints' order. */
  Qwen2DecoderLayer(int index, QwenVLConfig.TextConfig t, ComputeWeights weights, WeightBinder b) {
    this.weights = weights;
    this.eps = t.rmsNormEps();
    long h = t.hiddenSize();
    selfAttn = new Qwen2Attention(index, t, weights, b.under("self_attn."));
    mlp = new Qwen2MLP(t, weights, b.under("mlp."));
    inputLayernorm = b.take("input_layernorm.weight", h);
    postAttentionLayernorm = b.take("post_attention_layernorm.weight", h);
  }

  Linear[] linears() {
    Linear[] a = selfAttn.linears();
    Linear[] m = mlp.linears();
    Linear[] all = java.util.Arrays.copyOf(a, a.length + m.length);
    System.arraycopy(m, 0, all, a.length, m.length);
    return all;
  }

  Tensor forward(Tensor h, Tensor[] cosSin, Tensor mask, KeyValues cache) {
    Tensor a = selfAttn.forward(Qwen2RMSNorm.forward(h, weights.of(inputLayernorm), eps), cosSin, mask, cache);
    h = h.add(a);
    Tensor x = Qwen2RMSNorm.forward(h, weights.of(postAttentionLayernorm), eps);
    return h.add(mlp.forward(x));
  }
}
