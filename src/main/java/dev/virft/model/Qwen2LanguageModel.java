package dev.virft.model;

import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import java.util.Map;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The Qwen2 decoder of Qwen2-VL / Qwen2.5-VL (transformers' {@code Qwen2VLTextModel} + {@code lm_head}):
 * grouped-query attention with q/k/v biases, multimodal rotary embeddings split by
 * {@code mrope_section}, RMSNorm, SwiGLU MLP. Weights are looked up by hub name in the model's float32
 * master parameters and cast to the device's compute dtype on use, so gradients reach the masters.
 */
final class Qwen2LanguageModel {
  private final QwenVLConfig cfg;
  private final QwenVLConfig.TextConfig t;
  private final Map<String, Tensor> params;
  private final Device device;
  private final Tensor invFreq; // [headDim/2] float32
  private final Map<String, KeptCopy> keptCopies = new java.util.HashMap<>();
  private LoraAdapters lora; // null without LoRA

  Qwen2LanguageModel(QwenVLConfig cfg, Map<String, Tensor> params, Device device) {
    this.cfg = cfg;
    this.t = cfg.text();
    this.params = params;
    this.device = device;
    int d = t.headDim();
    // transformers' default rope: 1 / theta^(arange(0, d, 2) / d), in float32.
    Tensor exps = torch.arange(new Scalar(0), new Scalar(d), new Scalar(2),
            new TensorOptions(torch.ScalarType.Long))
        .to(torch.ScalarType.Float).div(new Scalar((float) d));
    this.invFreq = torch.pow(new Scalar(t.ropeTheta()), exps).reciprocal()
        .to(device.torchDevice(), torch.ScalarType.Float);
  }

  /** Attaches (or, with null, removes) LoRA adapters on the linear modules they name. */
  void setLora(LoraAdapters adapters) {
    releaseCastCopies();
    this.lora = adapters;
  }

  /**
   * A weight in compute dtype. With gradients on, the cast is part of the graph so gradients reach
   * the float32 master. Without (generation, reference and old-policy passes), the bf16 copy is kept
   * and reused until the master changes (its version counter moves with every in-place update): a
   * decode step would otherwise re-read and re-cast every float32 weight, once per generated token.
   */
  private Tensor w(String name) {
    Tensor master = params.get(name);
    if (master == null && lora != null) {
      master = lora.masters().get(name);
    }
    if (master.scalar_type().intern() == device.computeType()) {
      return master;
    }
    if (GradMode.is_enabled()) {
      // A training pass: the kept copies are stale after its update anyway, and freeing them leaves
      // room for the activations (4.4 GB for 2B).
      if (!keptCopies.isEmpty()) {
        releaseCastCopies();
      }
      return master.to(device.computeType());
    }
    return kept(name, master);
  }

  long keptCopyBytes() {
    long total = 0;
    for (KeptCopy c : keptCopies.values()) {
      total += c.copy.numel() * c.copy.element_size();
    }
    return total;
  }

  /** Frees the kept compute-dtype copies (the model is closing or its weights were replaced). */
  void releaseCastCopies() {
    for (KeptCopy c : keptCopies.values()) {
      c.copy.releaseReference();
    }
    keptCopies.clear();
  }

  /**
   * The masters cast to compute dtype (and concatenated along dim 0 when several), made once and kept
   * under {@code key} while none of the masters changes: an in-place update moves a tensor's version.
   */
  private Tensor kept(String key, Tensor... masters) {
    long[] versions = new long[masters.length];
    for (int i = 0; i < masters.length; i++) {
      versions[i] = masters[i].__dispatch__version();
    }
    KeptCopy c = keptCopies.get(key);
    if (c == null || !java.util.Arrays.equals(c.versions, versions) || !sameTensors(c.masters, masters)) {
      if (c != null) {
        c.copy.releaseReference();
      }
      Tensor[] cast = new Tensor[masters.length];
      for (int i = 0; i < masters.length; i++) {
        cast[i] = masters[i].to(device.computeType());
      }
      Tensor copy = cast.length == 1 ? cast[0] : Tensors.cat(0, cast);
      copy.retainReference(); // outlives the PointerScope of the step that made it
      c = new KeptCopy(masters, versions, copy);
      keptCopies.put(key, c);
    }
    return c.copy;
  }

  private static boolean sameTensors(Tensor[] a, Tensor[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  private record KeptCopy(Tensor[] masters, long[] versions, Tensor copy) {}

  /**
   * Whether this pass may use fused projections: a no-grad pass in a narrower compute dtype (bf16
   * generation, reference and old-policy log-probs). Decoding is bound by kernel launches, not by
   * arithmetic; one projection for q, k and v, one for gate and up, and one rotary for q and k together
   * save 8 of about 42 launches per layer. Float32 passes and training passes keep the separate
   * projections, which are transformers' modules one to one.
   */
  private boolean fusedPath() {
    return !GradMode.is_enabled() && device.computeType().intern() != torch.ScalarType.Float;
  }

  /**
   * One q/k/v projection and one rotary for q and k together in every no-grad pass, float32 included:
   * 9 fewer native ops per layer for a kept copy of the q/k/v weights (about 7 % of a layer's). Gate and
   * up stay separate in float32: fusing them adds two narrows and a copy of the MLP's largest weights.
   */
  private boolean fusedAttentionPath() {
    return !GradMode.is_enabled();
  }

  /** The named base weights in compute dtype, concatenated along dim 0 (one projection for several). */
  private Tensor fused(String key, String... names) {
    Tensor[] masters = new Tensor[names.length];
    for (int i = 0; i < names.length; i++) {
      masters[i] = params.get(names[i]);
    }
    return kept(key, masters);
  }

  Tensor embed(Tensor inputIds) {
    return torch.embedding(w("model.embed_tokens.weight"), inputIds);
  }

  /** Output projection in float32 (the lm_head, or the embedding matrix when tied). */
  Tensor logits(Tensor hidden) {
    String head = cfg.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
    return torch.linear(hidden, w(head)).to(torch.ScalarType.Float);
  }

  /**
   * Runs the decoder layers and the final norm.
   *
   * @param embeds [B, L, H] in compute dtype
   * @param positions [3, B, L] int64 M-RoPE positions
   * @param mask [B, 1, L, K] additive mask in compute dtype (0 = attend, dtype min = blocked)
   * @param cache null for a full pass; otherwise keys/values are appended to it
   */
  Tensor forward(Tensor embeds, Tensor positions, Tensor mask, KeyValues cache) {
    return forwardWithRotary(embeds, rotary(positions), mask, cache);
  }

  /**
   * As {@link #forward}, with the rotary tables from {@link #rotary} already made (decoding makes them
   * once for all its steps).
   */
  Tensor forwardWithRotary(Tensor embeds, Tensor[] cosSin, Tensor mask, KeyValues cache) {
    Tensor h = embeds;
    for (int i = 0; i < t.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      Tensor a = attention(i, p, rmsNorm(h, w(p + "input_layernorm.weight")), cosSin, mask, cache);
      h = h.add(a);
      Tensor x = rmsNorm(h, w(p + "post_attention_layernorm.weight"));
      Tensor gate;
      Tensor up;
      if (fusedPath()) {
        Tensor gateUp = torch.linear(x, fused(p + "mlp.gate_up", p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"));
        long inter = gateUp.size(-1) / 2;
        addLoraInPlace(gateUp, x, p + "mlp.gate_proj", 0, inter);
        addLoraInPlace(gateUp, x, p + "mlp.up_proj", inter, inter);
        gate = torch.silu(gateUp.narrow(-1, 0, inter));
        up = gateUp.narrow(-1, inter, inter);
      } else {
        gate = torch.silu(linear(x, p + "mlp.gate_proj", false));
        up = linear(x, p + "mlp.up_proj", false);
      }
      h = h.add(linear(gate.mul(up), p + "mlp.down_proj", false));
    }
    return rmsNorm(h, w("model.norm.weight"));
  }

  private Tensor attention(int layer, String p, Tensor x, Tensor[] cosSin, Tensor mask, KeyValues cache) {
    long b = x.size(0);
    long l = x.size(1);
    int d = t.headDim();
    Tensor cos = cosSin[0];
    Tensor sin = cosSin[1];
    Tensor q;
    Tensor k;
    Tensor v;
    int hq = t.numAttentionHeads();
    int hkv = t.numKeyValueHeads();
    if (fusedAttentionPath()) {
      String a = p + "self_attn.";
      Tensor qkv = torch.linear(x,
          fused(a + "qkv.weight", a + "q_proj.weight", a + "k_proj.weight", a + "v_proj.weight"),
          new TensorOptional(fused(a + "qkv.bias", a + "q_proj.bias", a + "k_proj.bias", a + "v_proj.bias")));
      addLoraInPlace(qkv, x, a + "q_proj", 0, (long) hq * d);
      addLoraInPlace(qkv, x, a + "k_proj", (long) hq * d, (long) hkv * d);
      addLoraInPlace(qkv, x, a + "v_proj", (long) (hq + hkv) * d, (long) hkv * d);
      Tensor heads = qkv.view(b, l, hq + 2L * hkv, d).transpose(1, 2);
      Tensor qk = rope(heads.narrow(1, 0, hq + hkv), cos, sin);
      q = qk.narrow(1, 0, hq);
      k = qk.narrow(1, hq, hkv);
      v = heads.narrow(1, hq + hkv, hkv);
    } else {
      q = linear(x, p + "self_attn.q_proj", true).view(b, l, hq, d).transpose(1, 2);
      k = linear(x, p + "self_attn.k_proj", true).view(b, l, hkv, d).transpose(1, 2);
      v = linear(x, p + "self_attn.v_proj", true).view(b, l, hkv, d).transpose(1, 2);
      q = rope(q, cos, sin);
      k = rope(k, cos, sin);
    }
    if (cache != null) {
      Tensor[] kv = cache.append(layer, k, v);
      k = kv[0];
      v = kv[1];
    }
    boolean gqa = t.numKeyValueHeads() != t.numAttentionHeads();
    Tensor o = torch.scaled_dot_product_attention(
        q, k, v, new TensorOptional(mask), 0.0, false, new DoubleOptional(), gqa);
    o = o.transpose(1, 2).reshape(b, l, (long) t.numAttentionHeads() * d);
    return linear(o, p + "self_attn.o_proj", false);
  }

  /**
   * The fused (no-grad) path's share of an adapter: adds (alpha / r) (x Aᵀ) Bᵀ of {@code module} to the
   * columns [offset, offset + width) of the fused projection's output, in place (nothing records
   * gradients here). The base weights stay fused, so decoding keeps its fewer kernel launches.
   */
  private void addLoraInPlace(Tensor fusedOut, Tensor x, String module, long offset, long width) {
    if (lora != null && lora.active(module)) {
      Tensor delta = torch.linear(torch.linear(x, w(LoraAdapters.aName(module))), w(LoraAdapters.bName(module)));
      fusedOut.narrow(-1, offset, width).add_(delta, new Scalar(lora.config().scaling()));
    }
  }

  /** A linear module by hub path; with an active LoRA adapter, plus (alpha / r) (x Aᵀ) Bᵀ. */
  private Tensor linear(Tensor x, String module, boolean bias) {
    Tensor y = bias
        ? torch.linear(x, w(module + ".weight"), new TensorOptional(w(module + ".bias")))
        : torch.linear(x, w(module + ".weight"));
    if (lora != null && lora.active(module)) {
      Tensor down = torch.linear(x, w(LoraAdapters.aName(module)));
      Tensor delta = torch.linear(down, w(LoraAdapters.bName(module)));
      y = y.add(delta, new Scalar(lora.config().scaling()));
    }
    return y;
  }

  /**
   * transformers' {@code x * cos + rotate_half(x) * sin} with rotate_half(x) = cat(-x2, x1), as
   * {@code x * cos + roll(x, half) * signedSin} where signedSin = cat(-sin1, sin2) ({@link #rotary}
   * makes it once per pass): the same products bit for bit (the sign moves from x2 to sin), in 4 ops
   * instead of 7.
   */
  private static Tensor rope(Tensor x, Tensor cos, Tensor signedSin) {
    long half = x.size(-1) / 2;
    return x.mul(cos).add(x.roll(new long[] {half}, new long[] {-1}).mul(signedSin));
  }

  /**
   * Qwen2RMSNorm: normalise in float32, cast back, then scale. In float32 that is libtorch's fused
   * {@code rms_norm} (one op instead of seven); the bf16 path keeps transformers' cast before the scale.
   */
  Tensor rmsNorm(Tensor x, Tensor weight) {
    if (x.scalar_type().intern() == torch.ScalarType.Float && weight.scalar_type().intern() == torch.ScalarType.Float) {
      return torch.rms_norm(x, new long[] {x.size(-1)}, new TensorOptional(weight), new DoubleOptional(t.rmsNormEps()));
    }
    Tensor xf = x.to(torch.ScalarType.Float);
    Tensor var = xf.pow(new Scalar(2)).mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
    Tensor normed = xf.mul(var.add(new Scalar(t.rmsNormEps())).rsqrt());
    return weight.mul(normed.to(x.scalar_type()));
  }

  /**
   * cos and signed sin (see {@link #rope}) [B, 1, L, headDim] for M-RoPE: the frequencies of each of the three position axes, with
   * channel chunks (mrope_section, repeated for both halves) taken from axis {@code chunk % 3}.
   */
  Tensor[] rotary(Tensor positions) {
    // freqs[a, b, l, f] = positions[a, b, l] * invFreq[f], in float32 like transformers.
    Tensor freqs = positions.to(torch.ScalarType.Float).unsqueeze(-1).mul(invFreq);
    Tensor emb = Tensors.cat(-1, freqs, freqs); // [3, B, L, D]
    Tensor cos = emb.cos();
    Tensor sin = emb.sin();
    int[] sec = t.mropeSection();
    Tensor[] cosParts = new Tensor[sec.length * 2];
    Tensor[] sinParts = new Tensor[sec.length * 2];
    long offset = 0;
    for (int i = 0; i < sec.length * 2; i++) {
      int size = sec[i % sec.length];
      cosParts[i] = cos.select(0, i % 3).narrow(-1, offset, size);
      sinParts[i] = sin.select(0, i % 3).narrow(-1, offset, size);
      offset += size;
    }
    Tensor c = Tensors.cat(-1, cosParts).unsqueeze(1).to(device.computeType());
    Tensor s = Tensors.cat(-1, sinParts).unsqueeze(1).to(device.computeType());
    long half = s.size(-1) / 2;
    Tensor signed = Tensors.cat(-1, s.narrow(-1, 0, half).neg(), s.narrow(-1, half, half));
    return new Tensor[] {c, signed};
  }
}
