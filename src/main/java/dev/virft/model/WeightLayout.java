package dev.virft.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every parameter of a Qwen2-VL / Qwen2.5-VL model by its hub name (the names users download:
 * {@code model.layers.*}, {@code visual.*}, {@code lm_head.*}) with its shape, in transformers'
 * module order. Loading checks checkpoints against it; random init and saving follow it.
 */
public final class WeightLayout {
  private WeightLayout() {}

  /** Hub names -> shapes; {@code lm_head.weight} only when embeddings are not tied. */
  public static Map<String, long[]> of(QwenVLConfig cfg) {
    Map<String, long[]> m = new LinkedHashMap<>();
    vision(cfg.vision(), m);
    text(cfg, m);
    return m;
  }

  static void text(QwenVLConfig cfg, Map<String, long[]> m) {
    QwenVLConfig.TextConfig t = cfg.text();
    long h = t.hiddenSize();
    long q = (long) t.numAttentionHeads() * t.headDim();
    long kv = (long) t.numKeyValueHeads() * t.headDim();
    long inter = t.intermediateSize();
    m.put("model.embed_tokens.weight", new long[] {t.vocabSize(), h});
    for (int i = 0; i < t.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      m.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      m.put(p + "self_attn.q_proj.bias", new long[] {q});
      m.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      m.put(p + "self_attn.k_proj.bias", new long[] {kv});
      m.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      m.put(p + "self_attn.v_proj.bias", new long[] {kv});
      m.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      m.put(p + "mlp.gate_proj.weight", new long[] {inter, h});
      m.put(p + "mlp.up_proj.weight", new long[] {inter, h});
      m.put(p + "mlp.down_proj.weight", new long[] {h, inter});
      m.put(p + "input_layernorm.weight", new long[] {h});
      m.put(p + "post_attention_layernorm.weight", new long[] {h});
    }
    m.put("model.norm.weight", new long[] {h});
    if (!cfg.tieWordEmbeddings()) {
      m.put("lm_head.weight", new long[] {t.vocabSize(), h});
    }
  }

  static void vision(QwenVLConfig.VisionConfig v, Map<String, long[]> m) {
    long e = v.embedDim();
    long inter = v.intermediateSize();
    long merged = e * v.spatialMergeSize() * v.spatialMergeSize();
    boolean q25 = v.family() == QwenVLConfig.Family.QWEN2_5_VL;
    m.put("visual.patch_embed.proj.weight",
        new long[] {e, v.inChannels(), v.temporalPatchSize(), v.patchSize(), v.patchSize()});
    for (int i = 0; i < v.depth(); i++) {
      String p = "visual.blocks." + i + ".";
      m.put(p + "norm1.weight", new long[] {e});
      if (!q25) {
        m.put(p + "norm1.bias", new long[] {e});
      }
      m.put(p + "norm2.weight", new long[] {e});
      if (!q25) {
        m.put(p + "norm2.bias", new long[] {e});
      }
      m.put(p + "attn.qkv.weight", new long[] {3 * e, e});
      m.put(p + "attn.qkv.bias", new long[] {3 * e});
      m.put(p + "attn.proj.weight", new long[] {e, e});
      m.put(p + "attn.proj.bias", new long[] {e});
      if (q25) {
        m.put(p + "mlp.gate_proj.weight", new long[] {inter, e});
        m.put(p + "mlp.gate_proj.bias", new long[] {inter});
        m.put(p + "mlp.up_proj.weight", new long[] {inter, e});
        m.put(p + "mlp.up_proj.bias", new long[] {inter});
        m.put(p + "mlp.down_proj.weight", new long[] {e, inter});
        m.put(p + "mlp.down_proj.bias", new long[] {e});
      } else {
        m.put(p + "mlp.fc1.weight", new long[] {inter, e});
        m.put(p + "mlp.fc1.bias", new long[] {inter});
        m.put(p + "mlp.fc2.weight", new long[] {e, inter});
        m.put(p + "mlp.fc2.bias", new long[] {e});
      }
    }
    m.put("visual.merger.ln_q.weight", new long[] {e});
    if (!q25) {
      m.put("visual.merger.ln_q.bias", new long[] {e});
    }
    m.put("visual.merger.mlp.0.weight", new long[] {merged, merged});
    m.put("visual.merger.mlp.0.bias", new long[] {merged});
    m.put("visual.merger.mlp.2.weight", new long[] {v.outHiddenSize(), merged});
    m.put("visual.merger.mlp.2.bias", new long[] {v.outHiddenSize()});
  }

  /** transformers-5 names -> hub names; other names unchanged. */
  public static String hubName(String name) {
    if (name.startsWith("model.language_model.")) {
      return "model." + name.substring("model.language_model.".length());
    }
    if (name.startsWith("model.visual.")) {
      return "visual." + name.substring("model.visual.".length());
    }
    return name;
  }
}
