package dev.virft.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;

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

  QwenVLConfig(
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
    return QwenVLConfigParser.parse(root, source);
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
}
