package dev.virft.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The architecture of a Qwen2-VL or Qwen2.5-VL checkpoint, read from its {@code config.json}.
 *
 * <p>Two layouts exist in the wild: the hub layout users download (text fields at the top level,
 * {@code vision_config}, {@code rope_scaling.mrope_section}) and the transformers-5 layout
 * ({@code text_config}, {@code rope_parameters}). Both parse to the same object. {@link #toHubJson()}
 * writes back the file it was parsed from, with only what we change updated (the weights' dtype), so
 * every field keeps the type transformers declares for it; a config built in code (no file) is written
 * in the hub layout, which every transformers version loads. Defaults for absent optional fields are
 * transformers' defaults. Sizes are bounded when parsed, before anything is allocated from them.
 */
public final class QwenVLConfig {

  /** The two supported model families, by {@code model_type}. */
  public enum Family {
    QWEN2_VL("qwen2_vl", "Qwen2VLForConditionalGeneration"),
    QWEN2_5_VL("qwen2_5_vl", "Qwen2_5_VLForConditionalGeneration");

    public final String modelType;
    public final String architecture;

    Family(String modelType, String architecture) {
      this.modelType = modelType;
      this.architecture = architecture;
    }

    static Family of(String modelType, String where) {
      for (Family f : values()) {
        if (f.modelType.equals(modelType)) {
          return f;
        }
      }
      throw new VirftException(
          where + ": field 'model_type' is '" + modelType + "', expected 'qwen2_vl' or 'qwen2_5_vl'");
    }
  }

  /** The Qwen2 language model. */
  public record TextConfig(
      int vocabSize,
      int hiddenSize,
      int intermediateSize,
      int numHiddenLayers,
      int numAttentionHeads,
      int numKeyValueHeads,
      String hiddenAct,
      double rmsNormEps,
      double ropeTheta,
      int[] mropeSection,
      int maxPositionEmbeddings,
      boolean useSlidingWindow,
      int slidingWindow,
      int maxWindowLayers,
      double attentionDropout) {
    public int headDim() {
      return hiddenSize / numAttentionHeads;
    }
  }

  /**
   * The vision tower of either family, under one set of names. Field meanings, with the config.json
   * keys of each family:
   *
   * <ul>
   *   <li>{@code embedDim}: width of the ViT blocks (qwen2_vl {@code embed_dim}, qwen2_5_vl {@code
   *       hidden_size});
   *   <li>{@code outHiddenSize}: width of the merger output = the language model's hidden size
   *       (qwen2_vl {@code hidden_size}, qwen2_5_vl {@code out_hidden_size});
   *   <li>{@code intermediateSize}: MLP width (qwen2_vl {@code embed_dim * mlp_ratio}, qwen2_5_vl
   *       {@code intermediate_size});
   *   <li>{@code windowSize}, {@code fullattBlockIndexes}, {@code tokensPerSecond}: qwen2_5_vl only
   *       (0 / empty for qwen2_vl).
   * </ul>
   */
  public record VisionConfig(
      Family family,
      int depth,
      int embedDim,
      int outHiddenSize,
      int intermediateSize,
      int numHeads,
      int inChannels,
      int patchSize,
      int spatialMergeSize,
      int temporalPatchSize,
      String hiddenAct,
      int windowSize,
      int[] fullattBlockIndexes,
      int tokensPerSecond) {
    public int headDim() {
      return embedDim / numHeads;
    }

    /** Values per flattened patch: channels * temporal * patch * patch (1176 for Qwen2-VL). */
    public int patchDim() {
      return inChannels * temporalPatchSize * patchSize * patchSize;
    }
  }

  /**
   * Upper bounds on sizes, far above any released model (Qwen2-VL-72B: 80 layers, width 8192, vocab
   * 152064) and low enough that the tensor layout built from them cannot exhaust memory by itself.
   */
  static final int MAX_LAYERS = 1024;
  static final int MAX_HEADS = 1024;
  static final int MAX_WIDTH = 1 << 16;
  static final int MAX_VOCAB = 1 << 22;

  private final Family family;
  private final TextConfig text;
  private final VisionConfig vision;
  private final boolean tieWordEmbeddings;
  private final long imageTokenId;
  private final long videoTokenId;
  private final long visionStartTokenId;
  private final long visionEndTokenId;
  private final Long bosTokenId;
  private final long[] eosTokenIds;
  /** The config.json this was parsed from (a private copy), or null for a config built in code. */
  private final ObjectNode original;

  public QwenVLConfig(
      Family family,
      TextConfig text,
      VisionConfig vision,
      boolean tieWordEmbeddings,
      long imageTokenId,
      long videoTokenId,
      long visionStartTokenId,
      long visionEndTokenId,
      Long bosTokenId,
      long[] eosTokenIds) {
    this(family, text, vision, tieWordEmbeddings, imageTokenId, videoTokenId, visionStartTokenId,
        visionEndTokenId, bosTokenId, eosTokenIds, null);
  }

  private QwenVLConfig(
      Family family,
      TextConfig text,
      VisionConfig vision,
      boolean tieWordEmbeddings,
      long imageTokenId,
      long videoTokenId,
      long visionStartTokenId,
      long visionEndTokenId,
      Long bosTokenId,
      long[] eosTokenIds,
      ObjectNode original) {
    this.family = family;
    this.text = text;
    this.vision = vision;
    this.tieWordEmbeddings = tieWordEmbeddings;
    this.imageTokenId = imageTokenId;
    this.videoTokenId = videoTokenId;
    this.visionStartTokenId = visionStartTokenId;
    this.visionEndTokenId = visionEndTokenId;
    this.bosTokenId = bosTokenId;
    this.eosTokenIds = eosTokenIds == null ? new long[0] : eosTokenIds.clone();
    this.original = original == null ? null : original.deepCopy();
  }

  public Family family() {
    return family;
  }

  public String modelType() {
    return family.modelType;
  }

  public TextConfig text() {
    return text;
  }

  public VisionConfig vision() {
    return vision;
  }

  public boolean tieWordEmbeddings() {
    return tieWordEmbeddings;
  }

  public long imageTokenId() {
    return imageTokenId;
  }

  public long videoTokenId() {
    return videoTokenId;
  }

  public long visionStartTokenId() {
    return visionStartTokenId;
  }

  public long visionEndTokenId() {
    return visionEndTokenId;
  }

  /** The vision placeholders a completion must never contain (image, video, vision start/end). */
  public long[] visionTokenIds() {
    return new long[] {imageTokenId(), videoTokenId(), visionStartTokenId(), visionEndTokenId()};
  }

  /** May be null when the config does not name one. */
  public Long bosTokenId() {
    return bosTokenId;
  }

  public long[] eosTokenIds() {
    return eosTokenIds.clone();
  }

  /** Reads {@code config.json} from a checkpoint directory, or the given file. */
  public static QwenVLConfig read(Path checkpointDirOrFile) {
    Path file =
        Files.isDirectory(checkpointDirOrFile)
            ? checkpointDirOrFile.resolve("config.json")
            : checkpointDirOrFile;
    return parse(Json.read(file), file.toString());
  }

  /** Parses either layout; {@code source} names the file in error messages. */
  public static QwenVLConfig parse(JsonNode root, String source) {
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
    int vocab = f.bounded("vocab_size", 1, MAX_VOCAB);
    int hidden = f.bounded("hidden_size", 1, MAX_WIDTH);
    int inter = f.bounded("intermediate_size", 1, MAX_WIDTH * 8);
    int layers = f.bounded("num_hidden_layers", 1, MAX_LAYERS);
    int heads = f.bounded("num_attention_heads", 1, MAX_HEADS);
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
    int depth = v.boundedOr("depth", 32, 1, MAX_LAYERS);
    int heads = v.boundedOr("num_heads", 16, 1, MAX_HEADS);
    VisionConfig vc;
    if (family == Family.QWEN2_VL) {
      int embed = v.boundedOr("embed_dim", 1280, 1, MAX_WIDTH);
      double ratio = v.dbl("mlp_ratio", 4);
      if (!(ratio > 0 && ratio <= 64) || (long) (embed * ratio) < 1) {
        throw v.bad("mlp_ratio", "a number in (0, 64]");
      }
      vc = new VisionConfig(family, depth, embed, v.boundedOr("hidden_size", 3584, 1, MAX_WIDTH),
          (int) (embed * ratio), heads, inChannels, patch, merge, temporal,
          v.string("hidden_act", "quick_gelu"), 0, new int[0], 0);
    } else {
      int[] full = v.has("fullatt_block_indexes") ? v.intArray("fullatt_block_indexes") : new int[] {7, 15, 23, 31};
      for (int i : full) {
        if (i < 0 || i >= depth) {
          throw v.bad("fullatt_block_indexes", "block indexes in [0, depth = " + depth + ")");
        }
      }
      vc = new VisionConfig(family, depth, v.boundedOr("hidden_size", 1280, 1, MAX_WIDTH),
          v.boundedOr("out_hidden_size", 3584, 1, MAX_WIDTH), v.boundedOr("intermediate_size", 3420, 1, MAX_WIDTH * 8),
          heads, inChannels, patch, merge, temporal, v.string("hidden_act", "silu"),
          v.boundedOr("window_size", 112, 1, 1 << 16), full,
          v.boundedOr("tokens_per_second", 4, 0, 1 << 16));
    }
    if (vc.embedDim % vc.numHeads != 0) {
      throw new VirftException(v.source + ": field '" + v.prefix + "num_heads' (" + vc.numHeads
          + ") must divide the vision width (" + vc.embedDim + ")");
    }
    if (vc.outHiddenSize != text.hiddenSize()) {
      throw new VirftException(v.source + ": field '" + v.prefix
          + (family == Family.QWEN2_VL ? "hidden_size" : "out_hidden_size") + "' is "
          + vc.outHiddenSize + ", expected the language model's hidden_size " + text.hiddenSize());
    }
    return vc;
  }

  /**
   * The config.json to write beside weights saved in float32: the file this config was parsed from
   * with only the dtype updated (every other field, known to us or not, as the base had it), or for
   * a config built in code the hub layout.
   */
  public ObjectNode toHubJson() {
    if (original == null) {
      return generatedHubJson();
    }
    ObjectNode o = original.deepCopy();
    boolean named = false;
    for (String sub : new String[] {null, "text_config", "vision_config"}) {
      JsonNode n = sub == null ? o : o.get(sub);
      if (n instanceof ObjectNode on) {
        for (String key : new String[] {"torch_dtype", "dtype"}) {
          if (on.has(key)) {
            on.put(key, "float32");
            named |= sub == null;
          }
        }
      }
    }
    if (!named) {
      o.put("torch_dtype", "float32");
    }
    // transformers declares mlp_ratio an int (Qwen2VLVisionConfig) and refuses 2.0, which older
    // writers (ours included) put in config.json: a whole number is written back as an int.
    if (o.get("vision_config") instanceof ObjectNode v && v.path("mlp_ratio").isFloatingPointNumber()
        && v.get("mlp_ratio").canConvertToExactIntegral()) {
      v.put("mlp_ratio", v.get("mlp_ratio").asInt());
    }
    return o;
  }

  /** The hub layout (what users download; every transformers version loads it), field types as transformers declares them. */
  private ObjectNode generatedHubJson() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.putArray("architectures").add(family.architecture);
    o.put("model_type", family.modelType);
    ObjectNode v = o.putObject("vision_config");
    v.put("depth", vision.depth);
    if (family == Family.QWEN2_VL) {
      v.put("embed_dim", vision.embedDim);
      v.put("hidden_size", vision.outHiddenSize);
      // transformers declares mlp_ratio an int (Qwen2VLVisionConfig) and refuses 2.0.
      if (vision.intermediateSize % vision.embedDim == 0) {
        v.put("mlp_ratio", vision.intermediateSize / vision.embedDim);
      } else {
        v.put("mlp_ratio", (double) vision.intermediateSize / vision.embedDim);
      }
    } else {
      v.put("hidden_size", vision.embedDim);
      v.put("out_hidden_size", vision.outHiddenSize);
      v.put("intermediate_size", vision.intermediateSize);
      v.put("window_size", vision.windowSize);
      ArrayNode full = v.putArray("fullatt_block_indexes");
      for (int i : vision.fullattBlockIndexes) {
        full.add(i);
      }
      v.put("tokens_per_second", vision.tokensPerSecond);
    }
    v.put("hidden_act", vision.hiddenAct);
    v.put("num_heads", vision.numHeads);
    v.put("in_chans", vision.inChannels);
    v.put("patch_size", vision.patchSize);
    v.put("spatial_patch_size", vision.patchSize);
    v.put("spatial_merge_size", vision.spatialMergeSize);
    v.put("temporal_patch_size", vision.temporalPatchSize);
    o.put("hidden_act", text.hiddenAct);
    o.put("hidden_size", text.hiddenSize);
    o.put("intermediate_size", text.intermediateSize);
    o.put("max_position_embeddings", text.maxPositionEmbeddings);
    o.put("max_window_layers", text.maxWindowLayers);
    o.put("num_attention_heads", text.numAttentionHeads);
    o.put("num_hidden_layers", text.numHiddenLayers);
    o.put("num_key_value_heads", text.numKeyValueHeads);
    o.put("rms_norm_eps", text.rmsNormEps);
    o.put("rope_theta", text.ropeTheta);
    o.put("sliding_window", text.slidingWindow);
    o.put("tie_word_embeddings", tieWordEmbeddings);
    o.put("torch_dtype", "float32");
    o.put("use_cache", true);
    o.put("use_sliding_window", text.useSlidingWindow);
    o.put("vocab_size", text.vocabSize);
    o.put("attention_dropout", text.attentionDropout);
    ObjectNode rope = o.putObject("rope_scaling");
    rope.put("type", "mrope");
    ArrayNode sec = rope.putArray("mrope_section");
    for (int s : text.mropeSection) {
      sec.add(s);
    }
    o.put("vision_start_token_id", visionStartTokenId);
    o.put("vision_end_token_id", visionEndTokenId);
    o.put("image_token_id", imageTokenId);
    o.put("video_token_id", videoTokenId);
    if (bosTokenId != null) {
      o.put("bos_token_id", bosTokenId);
    }
    if (eosTokenIds.length == 1) {
      o.put("eos_token_id", eosTokenIds[0]);
    } else if (eosTokenIds.length > 1) {
      ArrayNode e = o.putArray("eos_token_id");
      for (long id : eosTokenIds) {
        e.add(id);
      }
    }
    return o;
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
