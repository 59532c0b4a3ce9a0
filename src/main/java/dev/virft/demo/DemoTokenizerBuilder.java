package dev.virft.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes the demo's tokenizer: a real byte-level BPE {@code tokenizer.json} in the format of Qwen2's (same
 * normalizer, pre-tokenizer, decoder and special tokens), with a vocabulary of a few hundred tokens learned
 * from the demo's own texts, and a {@code tokenizer_config.json} carrying Qwen2-VL's chat template.
 *
 * <p>Byte-level BPE keeps every text encodable (any byte is a token), so a completion the model writes
 * always decodes back to what it meant; the learned merges make the demo's words one token each, so a
 * one-box answer is about 30 tokens. Output is a pure function of the corpus: the files can be remade.
 */
public final class DemoTokenizerBuilder {
  /** Qwen2-VL's special tokens, in Qwen's order (ids follow the learned vocabulary). */
  public static final List<String> QWEN_SPECIAL_TOKENS =
      List.of(
          "<|endoftext|>",
          "<|im_start|>",
          "<|im_end|>",
          "<|object_ref_start|>",
          "<|object_ref_end|>",
          "<|box_start|>",
          "<|box_end|>",
          "<|quad_start|>",
          "<|quad_end|>",
          "<|vision_start|>",
          "<|vision_end|>",
          "<|vision_pad|>",
          "<|image_pad|>",
          "<|video_pad|>");

  /**
   * The answer tags become single (non-special) tokens: the tiny model then learns the format in a few
   * steps, and decoding with special tokens skipped still keeps them for the reward to parse.
   */
  public static final List<String> TAG_TOKENS =
      List.of("<think>", "</think>", "<answer>", "</answer>");

  static final String CHAT_TEMPLATE_RESOURCE = "/demo/qwen2vl_chat_template.jinja";

  private final int maxMerges;
  private final int minCount;

  public DemoTokenizerBuilder(int maxMerges, int minCount) {
    this.maxMerges = maxMerges;
    this.minCount = minCount;
  }

  /** The ids the checkpoint's config needs (vision/image token ids, eos, pad, vocab size). */
  public record TokenIds(
      int vocabSize,
      int endOfText,
      int imStart,
      int imEnd,
      int visionStart,
      int visionEnd,
      int visionPad,
      int imagePad,
      int videoPad) {}

  /** Learns the vocabulary from {@code corpus} and writes tokenizer.json + tokenizer_config.json into dir. */
  public TokenIds write(List<String> corpus, Path dir) {
    Pattern addedSplit = addedTokenSplitter();
    BpeTrainer trainer = new BpeTrainer();
    for (String text : corpus) {
      // The Rust library cuts added tokens out before pre-tokenizing; learn merges on what is left.
      for (String piece : addedSplit.split(text)) {
        if (!piece.isEmpty()) trainer.add(piece);
      }
    }
    List<BpeTrainer.Merge> merges = trainer.train(maxMerges, minCount);

    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ByteLevelAlphabet.charOf(b)), b);
    for (BpeTrainer.Merge m : merges) vocab.putIfAbsent(m.joined(), vocab.size());

    List<String> added = new ArrayList<>(QWEN_SPECIAL_TOKENS);
    added.addAll(TAG_TOKENS);
    Map<String, Integer> addedIds = new LinkedHashMap<>();
    for (String t : added) addedIds.put(t, vocab.size() + addedIds.size());

    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode addedNodes = root.putArray("added_tokens");
    for (Map.Entry<String, Integer> e : addedIds.entrySet()) {
      addedNodes.add(addedTokenNode(e.getKey(), e.getValue(), QWEN_SPECIAL_TOKENS.contains(e.getKey())));
    }
    root.putObject("normalizer").put("type", "NFC");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Sequence");
    ArrayNode pres = pre.putArray("pretokenizers");
    ObjectNode split = pres.addObject();
    split.put("type", "Split");
    split.putObject("pattern").put("Regex", BpeTrainer.QWEN_SPLIT_REGEX);
    split.put("behavior", "Isolated");
    split.put("invert", false);
    pres.add(byteLevel());
    root.set("post_processor", byteLevel());
    root.set("decoder", byteLevel());
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.put("continuing_subword_prefix", "");
    model.put("end_of_word_suffix", "");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    ObjectNode vocabNode = model.putObject("vocab");
    vocab.forEach(vocabNode::put);
    ArrayNode mergeNodes = model.putArray("merges");
    for (BpeTrainer.Merge m : merges) mergeNodes.addArray().add(m.left()).add(m.right());

    writeJson(dir.resolve("tokenizer.json"), root);
    writeJson(dir.resolve("tokenizer_config.json"), tokenizerConfig(addedIds));

    return new TokenIds(
        vocab.size() + addedIds.size(),
        addedIds.get("<|endoftext|>"),
        addedIds.get("<|im_start|>"),
        addedIds.get("<|im_end|>"),
        addedIds.get("<|vision_start|>"),
        addedIds.get("<|vision_end|>"),
        addedIds.get("<|vision_pad|>"),
        addedIds.get("<|image_pad|>"),
        addedIds.get("<|video_pad|>"));
  }

  private static Pattern addedTokenSplitter() {
    List<String> all = new ArrayList<>(QWEN_SPECIAL_TOKENS);
    all.addAll(TAG_TOKENS);
    StringBuilder sb = new StringBuilder();
    for (String t : all) {
      if (sb.length() > 0) sb.append('|');
      sb.append(Pattern.quote(t));
    }
    return Pattern.compile(sb.toString());
  }

  private static ObjectNode addedTokenNode(String content, int id, boolean special) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", id);
    n.put("content", content);
    n.put("single_word", false);
    n.put("lstrip", false);
    n.put("rstrip", false);
    n.put("normalized", false);
    n.put("special", special);
    return n;
  }

  private static ObjectNode byteLevel() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("type", "ByteLevel");
    n.put("add_prefix_space", false);
    n.put("trim_offsets", false);
    n.put("use_regex", false);
    return n;
  }

  private static ObjectNode tokenizerConfig(Map<String, Integer> addedIds) {
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("add_bos_token", false);
    c.put("add_prefix_space", false);
    ObjectNode dec = c.putObject("added_tokens_decoder");
    for (Map.Entry<String, Integer> e : addedIds.entrySet()) {
      ObjectNode n = dec.putObject(Integer.toString(e.getValue()));
      n.put("content", e.getKey());
      n.put("lstrip", false);
      n.put("normalized", false);
      n.put("rstrip", false);
      n.put("single_word", false);
      n.put("special", QWEN_SPECIAL_TOKENS.contains(e.getKey()));
    }
    ArrayNode extra = c.putArray("additional_special_tokens");
    QWEN_SPECIAL_TOKENS.stream().filter(t -> !t.equals("<|endoftext|>")).forEach(extra::add);
    c.putNull("bos_token");
    c.put("chat_template", chatTemplate());
    c.put("clean_up_tokenization_spaces", false);
    c.put("eos_token", "<|im_end|>");
    c.put("errors", "replace");
    c.put("model_max_length", 4096);
    c.put("pad_token", "<|endoftext|>");
    c.put("split_special_tokens", false);
    c.put("tokenizer_class", "Qwen2Tokenizer");
    c.putNull("unk_token");
    return c;
  }

  /** Qwen2-VL's chat template, verbatim (data copied from the real tokenizer_config.json). */
  static String chatTemplate() {
    try (InputStream in = DemoTokenizerBuilder.class.getResourceAsStream(CHAT_TEMPLATE_RESOURCE)) {
      if (in == null) {
        throw new VirftException("missing classpath resource " + CHAT_TEMPLATE_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new VirftException("cannot read classpath resource " + CHAT_TEMPLATE_RESOURCE + ": " + e);
    }
  }

  private static void writeJson(Path file, Object node) {
    try {
      AtomicFiles.writeString(file, Json.MAPPER.writeValueAsString(node) + "\n");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
