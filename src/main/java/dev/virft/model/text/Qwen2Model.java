package dev.virft.model.text;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.nn.ComputeWeights;
import dev.virft.model.nn.Linear;
import dev.virft.model.nn.Qwen2RMSNorm;
import dev.virft.model.nn.WeightBinder;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code Qwen2VLTextModel} (hub names {@code model.*}): token embedding, the decoder
 * layers and the final norm, over float32 masters bound once at load and seen in the device's compute
 * dtype through {@link ComputeWeights}, so gradients reach the masters.
 */
public final class Qwen2Model {
  private final ComputeWeights weights;
  private final double eps;
  private final Tensor embedTokens;
  private final Qwen2DecoderLayer[] layers;
  private final Tensor norm;
  private final MultimodalRotaryEmbedding rotaryEmb;

  /** Binds {@code embed_tokens}, {@code layers.N.*} and {@code norm} under {@code b} (e.g. {@code "model."}). */
  public Qwen2Model(QwenVLConfig.TextConfig t, ComputeWeights weights, WeightBinder b) {
    this.weights = weights;
    this.eps = t.rmsNormEps();
    embedTokens = b.take("embed_tokens.weight", t.vocabSize(), t.hiddenSize());
    layers = new Qwen2DecoderLayer[t.numHiddenLayers()];
    for (int i = 0; i < layers.length; i++) {
      layers[i] = new Qwen2DecoderLayer(i, t, weights, b.under("layers." + i + "."));
    }
    norm = b.take("norm.weight", t.hiddenSize());
    rotaryEmb = new MultimodalRotaryEmbedding(t, weights.device());
  }

  /** The embedding matrix master (the LM head's weight when embeddings are tied). */
  public Tensor embedTokensWeight() {
    return embedTokens;
  }

  /** Every linear module of every layer (where LoRA adapters attach), in the layers' order. */
  public List<Linear> linears() {
    List<Linear> all = new ArrayList<>();
    for (Qwen2DecoderLayer layer : layers) {
      all.addAll(List.of(layer.linears()));
    }
    return all;
  }

  public Tensor embed(Tensor inputIds) {
    Tensor w = weights.of(embedTokens);
    if (GradMode.is_enabled() && w.requires_grad() && w.is_leaf() && w.device().is_cpu()) {
      // A sparse gradient (the looked-up rows only), added in place into a dense .grad made here once:
      // the dense one is a fresh vocabulary-sized zero tensor per lookup (two per shared-prompt pass,
      // and their sum a third), new pages from the kernel each time on the CPU (see TokenLogProbs).
      // Only on the master itself (a leaf): a compute-dtype copy's backward cannot take a sparse grad.
      Tensor acc = w.grad();
      if (acc == null || !acc.defined()) {
        w.mutable_grad().put(torch.zeros_like(w));
      }
      return torch.embedding(w, inputIds, -1, false, true);
    }
    return torch.embedding(w, inputIds);
  }

  public MultimodalRotaryEmbedding rotaryEmb() {
    return rotaryEmb;
  }

  /**
   * Runs the decoder layers and the final norm.
   *
   * @param embeds [B, L, H] in compute dtype
   * @param positions [3, B, L] int64 M-RoPE positions
   * @param mask [B, 1, L, K] additive mask in compute dtype (0 = attend, dtype min = blocked)
   * @param cache null for a full pass; otherwise keys/values are appended to it
   */
  public Tensor forward(Tensor embeds, Tensor positions, Tensor mask, KeyValues cache) {
    return forwardWithRotary(embeds, rotaryEmb.forward(positions), mask, cache);
  }

  /** As {@link #forward}, with the rotary tables already made (decoding makes them once for all its steps). */
  public Tensor forwardWithRotary(Tensor embeds, Tensor[] cosSin, Tensor mask, KeyValues cache) {
    Tensor h = embeds;
    for (Qwen2DecoderLayer layer : layers) {
      h = layer.forward(h, cosSin, mask, cache);
    }
    return Qwen2RMSNorm.forward(h, weights.of(norm), eps);
  }
}
