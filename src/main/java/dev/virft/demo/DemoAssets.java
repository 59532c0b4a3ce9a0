package dev.virft.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import java.nio.file.Path;

/**
 * The demo's model files that are not weights: the tokenizer (learned from {@link DemoCorpus}), and the
 * {@code config.json}, {@code generation_config.json} and {@code preprocessor_config.json} of a tiny
 * Qwen2-VL. Everything is a pure function of the constants below, so {@code virft demo make-assets}
 * remakes the same bytes.
 */
public final class DemoAssets {
  static final long CORPUS_SEED = 20250301L;
  static final int CORPUS_ROWS = 2000;
  static final int MAX_MERGES = 1200;
  static final int MIN_PAIR_COUNT = 2;

  /** Demo images are resized to exactly this many pixels per side (an 8×8 patch grid, 16 tokens). */
  public static final int IMAGE_SIDE = 112;

  /**
   * The tiny Qwen2-VL's sizes. The language model's M-RoPE splits head_dim / 2 rotary frequencies
   * into (temporal, height, width) in Qwen's 2:3:3 ratio.
   */
  public record ModelShape(
      int hidden, int intermediate, int layers, int heads, int kvHeads, int visionDepth, int visionEmbed,
      int visionHeads) {
    public int[] mropeSection() {
      int half = hidden / heads / 2;
      int t = half / 4, h = (half - t) / 2;
      return new int[] {t, h, half - t - h};
    }
  }

  /**
   * The shipped base: 4 text layers of width 96 (GQA 4 query / 2 key-value heads of dim 24), a 2-block
   * vision tower of width 32. A training step of the demo takes a fraction of a second on a laptop
   * CPU (tiny matrices: time goes to per-operation overhead more than to width).
   */
  public static final ModelShape DEFAULT_SHAPE = new ModelShape(96, 384, 4, 4, 2, 2, 32, 2);

  /** Qwen2-VL's rotary base (rope_theta). */
  public static final double DEFAULT_ROPE_THETA = 1000000.0;

  private DemoAssets() {}

  /** Writes tokenizer.json and tokenizer_config.json into {@code dir}. */
  public static DemoTokenizerBuilder.TokenIds writeTokenizer(Path dir) {
    return new DemoTokenizerBuilder(MAX_MERGES, MIN_PAIR_COUNT)
        .write(DemoCorpus.texts(CORPUS_SEED, CORPUS_ROWS), dir);
  }

  /** Writes the tokenizer and the model's config files (no weights) into {@code dir}. */
  public static DemoTokenizerBuilder.TokenIds writeAll(Path dir) {
    return writeAll(dir, DEFAULT_SHAPE);
  }

  /** As {@link #writeAll(Path)}, with a model of the given sizes. */
  public static DemoTokenizerBuilder.TokenIds writeAll(Path dir, ModelShape shape) {
    return writeAll(dir, shape, DEFAULT_ROPE_THETA);
  }

  /** As {@link #writeAll(Path, ModelShape)}, with the language model's rotary base {@code ropeTheta}. */
  public static DemoTokenizerBuilder.TokenIds writeAll(Path dir, ModelShape shape, double ropeTheta) {
    return writeAll(dir, shape, ropeTheta, shape.mropeSection());
  }

  /**
   * As {@link #writeAll(Path, ModelShape, double)}, with M-RoPE's split of the head_dim / 2 rotary
   * frequencies into (temporal, height, width) set to {@code mropeSection} (it must sum to head_dim
   * / 2). Text tokens have the same position on all three axes, so the split only changes how image
   * tokens' rows and columns are rotated.
   */
  public static DemoTokenizerBuilder.TokenIds writeAll(Path dir, ModelShape shape, double ropeTheta, int[] mropeSection) {
    int half = shape.hidden() / shape.heads() / 2;
    if (mropeSection.length != 3 || java.util.Arrays.stream(mropeSection).sum() != half
        || java.util.Arrays.stream(mropeSection).anyMatch(v -> v < 1)) {
      throw new dev.virft.util.VirftException("--mrope-section: expected three positive numbers summing to head_dim / 2 = "
          + half + ", got " + java.util.Arrays.toString(mropeSection));
    }
    DemoTokenizerBuilder.TokenIds ids = writeTokenizer(dir);
    ObjectNode config = modelConfig(ids, shape);
    config.put("rope_theta", ropeTheta);
    ArrayNode sec = ((ObjectNode) config.get("rope_scaling")).putArray("mrope_section");
    for (int v : mropeSection) sec.add(v);
    write(dir.resolve("config.json"), config);
    write(dir.resolve("generation_config.json"), generationConfig(ids));
    write(dir.resolve("preprocessor_config.json"), preprocessorConfig());
    return ids;
  }

  /** Vocabulary rounded up to a multiple of 64, as Qwen pads its embedding table. */
  static int paddedVocab(int vocab) {
    return (vocab + 63) / 64 * 64;
  }

  static ObjectNode modelConfig(DemoTokenizerBuilder.TokenIds ids, ModelShape m) {
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.putArray("architectures").add("Qwen2VLForConditionalGeneration");
    c.put("model_type", "qwen2_vl");
    ObjectNode v = c.putObject("vision_config");
    v.put("depth", m.visionDepth());
    v.put("embed_dim", m.visionEmbed());
    v.put("mlp_ratio", 2);
    v.put("num_heads", m.visionHeads());
    v.put("in_chans", 3);
    v.put("hidden_size", m.hidden());
    v.put("patch_size", 14);
    v.put("spatial_merge_size", 2);
    v.put("spatial_patch_size", 14);
    v.put("temporal_patch_size", 2);
    c.put("hidden_act", "silu");
    c.put("hidden_size", m.hidden());
    c.put("initializer_range", 0.02);
    c.put("intermediate_size", m.intermediate());
    c.put("max_position_embeddings", 4096);
    c.put("max_window_layers", m.layers());
    c.put("num_attention_heads", m.heads());
    c.put("num_hidden_layers", m.layers());
    c.put("num_key_value_heads", m.kvHeads());
    c.put("rms_norm_eps", 1e-6);
    c.put("rope_theta", 1000000.0);
    c.put("sliding_window", 4096);
    c.put("tie_word_embeddings", true);
    c.put("torch_dtype", "float32");
    c.put("use_cache", true);
    c.put("use_sliding_window", false);
    c.put("vocab_size", paddedVocab(ids.vocabSize()));
    c.put("attention_dropout", 0.0);
    ObjectNode rope = c.putObject("rope_scaling");
    rope.put("type", "mrope");
    ArrayNode sec = rope.putArray("mrope_section");
    for (int s : m.mropeSection()) sec.add(s);
    c.put("vision_start_token_id", ids.visionStart());
    c.put("vision_end_token_id", ids.visionEnd());
    c.put("vision_token_id", ids.visionPad());
    c.put("image_token_id", ids.imagePad());
    c.put("video_token_id", ids.videoPad());
    c.put("bos_token_id", ids.endOfText());
    c.put("eos_token_id", ids.imEnd());
    return c;
  }

  static ObjectNode generationConfig(DemoTokenizerBuilder.TokenIds ids) {
    ObjectNode g = Json.MAPPER.createObjectNode();
    g.put("bos_token_id", ids.endOfText());
    g.put("do_sample", false);
    g.putArray("eos_token_id").add(ids.imEnd()).add(ids.endOfText());
    g.put("pad_token_id", ids.endOfText());
    g.put("max_new_tokens", 64);
    return g;
  }

  static ObjectNode preprocessorConfig() {
    ObjectNode p = Json.MAPPER.createObjectNode();
    int pixels = IMAGE_SIDE * IMAGE_SIDE;
    p.put("min_pixels", pixels);
    p.put("max_pixels", pixels);
    p.put("patch_size", 14);
    p.put("temporal_patch_size", 2);
    p.put("merge_size", 2);
    ArrayNode mean = p.putArray("image_mean");
    mean.add(0.48145466).add(0.4578275).add(0.40821073);
    ArrayNode std = p.putArray("image_std");
    std.add(0.26862954).add(0.26130258).add(0.27577711);
    p.put("do_convert_rgb", true);
    p.put("do_normalize", true);
    p.put("do_rescale", true);
    p.put("do_resize", true);
    p.put("rescale_factor", 0.00392156862745098);
    p.put("resample", 3);
    p.put("image_processor_type", "Qwen2VLImageProcessor");
    p.put("processor_class", "Qwen2VLProcessor");
    return p;
  }

  private static void write(Path file, ObjectNode node) {
    try {
      AtomicFiles.writeString(file, Json.MAPPER.writeValueAsString(node) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
