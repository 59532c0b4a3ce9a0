package dev.virft.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.model.QwenVLConfig.Family;
import dev.virft.model.QwenVLConfig.TextConfig;
import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.util.VirftException;
import java.util.Arrays;

/**
 * Parses a {@code config.json} of either layout (hub or transformers 5) into a {@link QwenVLConfig}:
 * transformers' defaults for absent optional fields, sizes bounded before anything is allocated from
 * them, and every error naming the file and the field.
 */
final class QwenVLConfigParser {
  private QwenVLConfigParser() {}

  static QwenVLConfig parse(JsonNode root, String source) {
    if (root == null || !root.isObject()) {
      throw new VirftException(source + ": expected a JSON object");
    }
    Fields top = new Fields(root, source, "");
    Family family = Family.of(top.requiredString("model_type"), source);

    // transformers-5 layout nests the text fields; the hub layout keeps them at the top level.
    JsonNode textNode = root.get("text_config");
    Fields tf = textNode != null && textNode.isObject() ? new Fields(textNode, source, "text_config.") : top;
    TextConfig text = parseText(tf, top, source);

    JsonNode visionNode = root.get("vision_config");
    if (visionNode == null || !visionNode.isObject()) {
      throw new VirftException(source + ": field 'vision_config' is missing, expected an object");
    }
    VisionConfig vision = parseVision(family, new Fields(visionNode, source, "vision_config."), text);

    boolean tied =
        tf.has("tie_word_embeddings")
            ? tf.bool("tie_word_embeddings", false)
            : top.bool("tie_word_embeddings", false);
    long imageTokenId = tokenId(top, tf, "image_token_id", 151655);
    long videoTokenId = tokenId(top, tf, "video_token_id", 151656);
    long visionStart = tokenId(top, tf, "vision_start_token_id", 151652);
    long visionEnd = tokenId(top, tf, "vision_end_token_id", 151653);
    Long bos = tf.has("bos_token_id") ? tf.optLong("bos_token_id") : top.optLong("bos_token_id");
    long[] eos = tf.has("eos_token_id") ? tf.longOrList("eos_token_id") : top.longOrList("eos_token_id");
    String[] idNames = {"image_token_id", "video_token_id", "vision_start_token_id", "vision_end_token_id"};
    long[] idValues = {imageTokenId, videoTokenId, visionStart, visionEnd};
    for (int i = 0; i < idNames.length; i++) {
      if (idValues[i] < 0 || idValues[i] >= text.vocabSize()) {
        String where = top.has(idNames[i]) || !tf.has(idNames[i]) ? "" : tf.prefix;
        throw new VirftException(source + ": field '" + where + idNames[i] + "' is " + idValues[i]
            + ", expected a token id below vocab_size (" + text.vocabSize() + ")");
      }
    }
    return new QwenVLConfig(family, text, vision, tied, imageTokenId, videoTokenId, visionStart,
        visionEnd, bos, eos, (ObjectNode) root);
  }

  private static long tokenId(Fields top, Fields text, String name, long dflt) {
    if (top.has(name)) {
      return top.requiredLong(name);
    }
    if (text.has(name)) {
      return text.requiredLong(name);
    }
    return dflt;
  }

  private static TextConfig parseText(Fields f, Fields top, String source) {
    int vocab = f.bounded("vocab_size", 1, QwenVLConfig.MAX_VOCAB);
    int hidden = f.bounded("hidden_size", 1, QwenVLConfig.MAX_WIDTH);
    int inter = f.bounded("intermediate_size", 1, QwenVLConfig.MAX_WIDTH * 8);
    int layers = f.bounded("num_hidden_layers", 1, QwenVLConfig.MAX_LAYERS);
    int heads = f.bounded("num_attention_heads", 1, QwenVLConfig.MAX_HEADS);
    int kvHeads = f.has("num_key_value_heads") ? f.bounded("num_key_value_heads", 1, heads) : heads;
    String act = f.string("hidden_act", "silu");
    if (!act.equals("silu")) {
      throw new VirftException(source + ": field '" + f.prefix + "hidden_act' is '" + act
          + "', expected 'silu'");
    }
    double eps = f.positive("rms_norm_eps", 1e-5);
    if (hidden % heads != 0) {
      throw new VirftException(source + ": field '" + f.prefix + "hidden_size' (" + hidden
          + ") must be divisible by num_attention_heads (" + heads + ")");
    }
    if (heads % kvHeads != 0) {
      throw new VirftException(source + ": field '" + f.prefix + "num_attention_heads' (" + heads
          + ") must be divisible by num_key_value_heads (" + kvHeads + ")");
    }

    // Rotary settings: hub layout has rope_theta + rope_scaling{type: mrope, mrope_section};
    // transformers 5 has rope_parameters{rope_type, rope_theta, mrope_section}.
    Fields rope = null;
    String ropeField = null;
    for (String key : new String[] {"rope_parameters", "rope_scaling"}) {
      for (Fields where : new Fields[] {f, top}) {
        if (rope == null && where.has(key) && where.node(key).isObject()) {
          rope = new Fields(where.node(key), source, where.prefix + key + ".");
          ropeField = where.prefix + key;
        }
      }
    }
    double theta;
    if (rope != null && rope.has("rope_theta")) {
      theta = rope.positive("rope_theta", 1e6);
    } else {
      theta = f.has("rope_theta") ? f.positive("rope_theta", 1e6) : top.positive("rope_theta", 1e6);
    }
    int headDim = hidden / heads;
    int[] section;
    if (rope == null) {
      throw new VirftException(source + ": field 'rope_scaling' (or 'rope_parameters') is missing, "
          + "expected an object with 'mrope_section'");
    }
    String type = rope.has("rope_type") ? rope.string("rope_type", "default") : rope.string("type", "default");
    if (!type.equals("mrope") && !type.equals("default")) {
      throw new VirftException(source + ": field '" + ropeField + ".rope_type' is '" + type
          + "', expected 'mrope' or 'default'");
    }
    section = rope.intArray("mrope_section");
    if (section.length != 3 || Arrays.stream(section).sum() * 2 != headDim) {
      throw new VirftException(source + ": field '" + ropeField + ".mrope_section' is "
          + Arrays.toString(section) + ", expected 3 numbers summing to head_dim/2 = " + headDim / 2);
    }
    return new TextConfig(
        vocab, hidden, inter, layers, heads, kvHeads, act, eps, theta, section,
        f.has("max_position_embeddings") ? f.bounded("max_position_embeddings", 1, Integer.MAX_VALUE) : 32768,
        f.bool("use_sliding_window", false),
        f.integer("sliding_window", 4096),
        f.integer("max_window_layers", layers),
        f.dbl("attention_dropout", 0.0));
  }

  private static VisionConfig parseVision(Family family, Fields v, TextConfig text) {
    int inChannels = v.has("in_channels") ? v.boundedOr("in_channels", 3, 1, 16) : v.boundedOr("in_chans", 3, 1, 16);
    int patch = v.boundedOr("patch_size", 14, 1, 1024);
    int merge = v.boundedOr("spatial_merge_size", 2, 1, 64);
    int temporal = v.boundedOr("temporal_patch_size", 2, 1, 64);
    int depth = v.boundedOr("depth", 32, 1, QwenVLConfig.MAX_LAYERS);
    int heads = v.boundedOr("num_heads", 16, 1, QwenVLConfig.MAX_HEADS);
    VisionConfig vc;
    if (family == Family.QWEN2_VL) {
      int embed = v.boundedOr("embed_dim", 1280, 1, QwenVLConfig.MAX_WIDTH);
      double ratio = v.dbl("mlp_ratio", 4);
      if (!(ratio > 0 && ratio <= 64) || (long) (embed * ratio) < 1) {
        throw v.bad("mlp_ratio", "a number in (0, 64]");
      }
      vc = new VisionConfig(family, depth, embed, v.boundedOr("hidden_size", 3584, 1, QwenVLConfig.MAX_WIDTH),
          (int) (embed * ratio), heads, inChannels, patch, merge, temporal,
          v.string("hidden_act", "quick_gelu"), 0, new int[0], 0);
    } else {
      int[] full = v.has("fullatt_block_indexes") ? v.intArray("fullatt_block_indexes") : new int[] {7, 15, 23, 31};
      for (int i : full) {
        if (i < 0 || i >= depth) {
          throw v.bad("fullatt_block_indexes", "block indexes in [0, depth = " + depth + ")");
        }
      }
      vc = new VisionConfig(family, depth, v.boundedOr("hidden_size", 1280, 1, QwenVLConfig.MAX_WIDTH),
          v.boundedOr("out_hidden_size", 3584, 1, QwenVLConfig.MAX_WIDTH), v.boundedOr("intermediate_size", 3420, 1, QwenVLConfig.MAX_WIDTH * 8),
          heads, inChannels, patch, merge, temporal, v.string("hidden_act", "silu"),
          v.boundedOr("window_size", 112, 1, 1 << 16), full,
          v.boundedOr("tokens_per_second", 4, 0, 1 << 16));
    }
    if (vc.embedDim() % vc.numHeads() != 0) {
      throw new VirftException(v.source + ": field '" + v.prefix + "num_heads' (" + vc.numHeads()
          + ") must divide the vision width (" + vc.embedDim() + ")");
    }
    if (vc.outHiddenSize() != text.hiddenSize()) {
      throw new VirftException(v.source + ": field '" + v.prefix
          + (family == Family.QWEN2_VL ? "hidden_size" : "out_hidden_size") + "' is "
          + vc.outHiddenSize() + ", expected the language model's hidden_size " + text.hiddenSize());
    }
    return vc;
  }

  /** Typed access to one JSON object, naming file and field on every error. */
  private static final class Fields {
    final JsonNode node;
    final String source;
    final String prefix;

    Fields(JsonNode node, String source, String prefix) {
      this.node = node;
      this.source = source;
      this.prefix = prefix;
    }

    boolean has(String name) {
      return node.has(name) && !node.get(name).isNull();
    }

    JsonNode node(String name) {
      return node.get(name);
    }

    VirftException bad(String name, String expected) {
      JsonNode n = node.get(name);
      return new VirftException(source + ": field '" + prefix + name + "' "
          + (n == null || n.isNull() ? "is missing" : "is " + n) + ", expected " + expected);
    }

    String requiredString(String name) {
      if (!has(name) || !node.get(name).isTextual()) {
        throw bad(name, "a string");
      }
      return node.get(name).asText();
    }

    String string(String name, String dflt) {
      return has(name) ? requiredString(name) : dflt;
    }

    int requiredInt(String name) {
      JsonNode n = node.get(name);
      if (n == null || !n.canConvertToInt() || !(n.isIntegralNumber() || n.isDouble() && n.asDouble() == n.asInt())
          || n.asInt() < 0) {
        throw bad(name, "a non-negative integer");
      }
      return n.asInt();
    }

    int integer(String name, int dflt) {
      return has(name) ? requiredInt(name) : dflt;
    }

    /** An integer in [min, max], named with its range when it is not one. */
    int bounded(String name, int min, int max) {
      JsonNode n = node.get(name);
      String range = "an integer in [" + min + ", " + max + "]";
      if (n == null || !n.isNumber() || !(n.isIntegralNumber() || n.asDouble() == Math.rint(n.asDouble()))) {
        throw bad(name, range);
      }
      double d = n.asDouble();
      if (n.isIntegralNumber() ? !n.canConvertToLong() || n.asLong() < min || n.asLong() > max : d < min || d > max) {
        throw bad(name, range);
      }
      return n.isIntegralNumber() ? (int) n.asLong() : (int) d;
    }

    int boundedOr(String name, int dflt, int min, int max) {
      return has(name) ? bounded(name, min, max) : dflt;
    }

    /** A finite number above 0. */
    double positive(String name, double dflt) {
      double d = dbl(name, dflt);
      if (!(d > 0) || Double.isInfinite(d)) {
        throw bad(name, "a finite number above 0");
      }
      return d;
    }

    long requiredLong(String name) {
      JsonNode n = node.get(name);
      if (n == null || !n.isIntegralNumber()) {
        throw bad(name, "an integer");
      }
      return n.asLong();
    }

    Long optLong(String name) {
      return has(name) ? requiredLong(name) : null;
    }

    long[] longOrList(String name) {
      if (!has(name)) {
        return new long[0];
      }
      JsonNode n = node.get(name);
      if (n.isIntegralNumber()) {
        return new long[] {n.asLong()};
      }
      if (n.isArray()) {
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
          if (!n.get(i).isIntegralNumber()) {
            throw bad(name, "an integer or a list of integers");
          }
          out[i] = n.get(i).asLong();
        }
        return out;
      }
      throw bad(name, "an integer or a list of integers");
    }

    double dbl(String name, double dflt) {
      if (!has(name)) {
        return dflt;
      }
      JsonNode n = node.get(name);
      if (!n.isNumber()) {
        throw bad(name, "a number");
      }
      return n.asDouble();
    }

    boolean bool(String name, boolean dflt) {
      if (!has(name)) {
        return dflt;
      }
      JsonNode n = node.get(name);
      if (!n.isBoolean()) {
        throw bad(name, "true or false");
      }
      return n.asBoolean();
    }

    int[] intArray(String name) {
      JsonNode n = node.get(name);
      if (n == null || !n.isArray()) {
        throw bad(name, "a list of integers");
      }
      int[] out = new int[n.size()];
      for (int i = 0; i < out.length; i++) {
        if (!n.get(i).canConvertToInt() || !n.get(i).isIntegralNumber()) {
          throw bad(name, "a list of integers");
        }
        out[i] = n.get(i).asInt();
      }
      return out;
    }
  }
}
