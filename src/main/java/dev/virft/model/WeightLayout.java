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
    m.putAll(dev.virft.model.vision.VisionTower.parameterShapes(v));
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
