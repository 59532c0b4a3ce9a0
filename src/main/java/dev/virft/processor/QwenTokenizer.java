package dev.virft.processor;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A checkpoint's {@code tokenizer.json} through the Rust Hugging Face tokenizers (DJL binding), set up
 * the way the Qwen2-VL processor uses it: no special tokens added, no truncation (DJL would truncate to
 * 512 by default), no padding, fully offline.
 */
public final class QwenTokenizer implements AutoCloseable {
  public static final String IM_START = "<|im_start|>";
  public static final String IM_END = "<|im_end|>";
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final String IMAGE_PAD = "<|image_pad|>";
  public static final String VISION_START = "<|vision_start|>";
  public static final String VISION_END = "<|vision_end|>";

  static {
    // DJL must neither phone home nor download natives: the jar bundles the tokenizers library.
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }

  private final HuggingFaceTokenizer tokenizer;
  private final Map<String, Long> addedTokens;
  private final JsonNode tokenizerConfig;
  private final Path dir;
  private final long eosId;
  private final long[] stopIds;
  private final long padId;

  private QwenTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Long> addedTokens, JsonNode tokenizerConfig,
      JsonNode generationConfig, Path dir) {
    this.tokenizer = tokenizer;
    this.addedTokens = addedTokens;
    this.tokenizerConfig = tokenizerConfig;
    this.dir = dir;
    Path cfgFile = dir.resolve("tokenizer_config.json");
    this.eosId = tokenId(tokenText(tokenizerConfig, "eos_token", IM_END, cfgFile), cfgFile, "eos_token");
    this.padId = tokenId(tokenText(tokenizerConfig, "pad_token", END_OF_TEXT, cfgFile), cfgFile, "pad_token");
    this.stopIds = stopIds(generationConfig, eosId, dir.resolve("generation_config.json"));
  }

  /** Loads {@code dir/tokenizer.json} (required) with {@code tokenizer_config.json} and {@code generation_config.json} when present. */
  public static QwenTokenizer fromCheckpoint(Path dir) {
    Path file = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new VirftException(file + ": tokenizer file not found (a checkpoint needs tokenizer.json)");
    }
    Map<String, Long> added = readAddedTokens(file);
    Path cfgFile = dir.resolve("tokenizer_config.json");
    JsonNode cfg = Files.isRegularFile(cfgFile) ? Json.read(cfgFile) : Json.MAPPER.createObjectNode();
    Path genFile = dir.resolve("generation_config.json");
    JsonNode gen = Files.isRegularFile(genFile) ? Json.read(genFile) : Json.MAPPER.createObjectNode();
    HuggingFaceTokenizer hf;
    try {
      hf = HuggingFaceTokenizer.builder()
          .optTokenizerPath(file)
          .optAddSpecialTokens(false)
          .optTruncation(false)
          .optPadding(false)
          .build();
    } catch (IOException | RuntimeException e) {
      throw new VirftException(file + ": cannot load tokenizer: " + e.getMessage(), e);
    }
    return new QwenTokenizer(hf, Collections.unmodifiableMap(added), cfg, gen, dir);
  }

  public long[] encode(String text) {
    Encoding e = tokenizer.encode(text, false, false);
    return e.getIds();
  }

  public String decode(long[] ids, boolean skipSpecialTokens) {
    return tokenizer.decode(ids, skipSpecialTokens);
  }

  /** The id of an added (special) token such as {@code <|image_pad|>}, if the vocabulary has it. */
  public OptionalLong specialTokenId(String token) {
    Long id = addedTokens.get(token);
    return id == null ? OptionalLong.empty() : OptionalLong.of(id);
  }

  /** Like {@link #specialTokenId} but a missing token is an error naming the tokenizer file. */
  public long requireTokenId(String token) {
    return tokenId(token, dir.resolve("tokenizer.json"), "added_tokens");
  }

  public long imagePadId() {
    return requireTokenId(IMAGE_PAD);
  }

  public long visionStartId() {
    return requireTokenId(VISION_START);
  }

  public long visionEndId() {
    return requireTokenId(VISION_END);
  }

  /** {@code eos_token} of tokenizer_config.json ({@code <|im_end|>} when absent). */
  public long eosId() {
    return eosId;
  }

  /** {@code pad_token} of tokenizer_config.json ({@code <|endoftext|>} when absent). */
  public long padId() {
    return padId;
  }

  /**
   * Ids that end generation: generation_config.json's {@code eos_token_id} (an id or a list) when
   * present, otherwise the tokenizer's eos.
   */
  public long[] stopIds() {
    return stopIds.clone();
  }

  /** tokenizer_config.json as read (empty object when the checkpoint has none). */
  public JsonNode tokenizerConfig() {
    return tokenizerConfig;
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  /**
   * The {@code added_tokens} list of tokenizer.json, read with the streaming parser: the file is
   * megabytes of vocabulary and merges that the Rust side reads anyway, so no tree is built for them.
   */
  private static Map<String, Long> readAddedTokens(Path file) {
    Map<String, Long> added = new LinkedHashMap<>();
    try (JsonParser p = Json.MAPPER.getFactory().createParser(file.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new VirftException(file + ": expected a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("added_tokens".equals(name) && value == JsonToken.START_ARRAY) {
          JsonNode arr = Json.MAPPER.readTree(p);
          for (JsonNode t : arr) {
            if (t.hasNonNull("content") && t.hasNonNull("id")) {
              added.put(t.get("content").asText(), t.get("id").asLong());
            }
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw new VirftException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new VirftException(file + ": cannot read: " + e.getMessage(), e);
    }
    return added;
  }

  private long tokenId(String token, Path file, String field) {
    Long id = addedTokens.get(token);
    if (id == null) {
      throw new VirftException(file + ": field '" + field + "': token " + token
          + " is not an added token of " + dir.resolve("tokenizer.json"));
    }
    return id;
  }

  /** A token field is either a string or an AddedToken object {@code {"content": ...}}. */
  private static String tokenText(JsonNode cfg, String field, String dflt, Path file) {
    JsonNode v = cfg.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isObject() && v.hasNonNull("content")) {
      return v.get("content").asText();
    }
    throw new VirftException(file + ": field '" + field + "' is " + v + "; expected a token string");
  }

  private static long[] stopIds(JsonNode gen, long eos, Path file) {
    JsonNode v = gen.get("eos_token_id");
    return v == null || v.isNull() ? new long[] {eos} : Json.ids(v, file, "eos_token_id");
  }
}
