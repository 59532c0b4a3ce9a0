package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QwenVLConfigTest {
  static Path golden(String name) {
    return Paths.get("src/test/resources/golden", name, "checkpoint");
  }

  @Test
  void parsesHubLayoutOfQwen2VL() {
    QwenVLConfig c = QwenVLConfig.read(golden("qwen2_vl"));
    assertEquals(QwenVLConfig.Family.QWEN2_VL, c.family());
    assertEquals(600, c.text().vocabSize());
    assertEquals(64, c.text().hiddenSize());
    assertEquals(4, c.text().numAttentionHeads());
    assertEquals(2, c.text().numKeyValueHeads());
    assertEquals(16, c.text().headDim());
    assertArrayEquals(new int[] {2, 3, 3}, c.text().mropeSection());
    assertEquals(1e6, c.text().ropeTheta());
    assertEquals(1e-6, c.text().rmsNormEps());
    assertTrue(c.tieWordEmbeddings());
    assertEquals(593, c.imageTokenId());
    assertEquals(590, c.visionStartTokenId());
    assertArrayEquals(new long[] {596}, c.eosTokenIds());
    QwenVLConfig.VisionConfig v = c.vision();
    assertEquals(2, v.depth());
    assertEquals(32, v.embedDim());
    assertEquals(64, v.outHiddenSize());
    assertEquals(64, v.intermediateSize());
    assertEquals("quick_gelu", v.hiddenAct());
    assertEquals(1176, v.patchDim());
  }

  @Test
  void parsesHubLayoutOfQwen25VL() {
    QwenVLConfig c = QwenVLConfig.read(golden("qwen2_5_vl"));
    assertEquals(QwenVLConfig.Family.QWEN2_5_VL, c.family());
    assertFalse(c.tieWordEmbeddings());
    QwenVLConfig.VisionConfig v = c.vision();
    assertEquals(4, v.depth());
    assertEquals(32, v.embedDim());
    assertEquals(64, v.outHiddenSize());
    assertEquals(64, v.intermediateSize());
    assertEquals(56, v.windowSize());
    assertArrayEquals(new int[] {1, 3}, v.fullattBlockIndexes());
    assertEquals(2, v.tokensPerSecond());
    assertEquals("silu", v.hiddenAct());
  }

  /** The transformers-5 layout: text fields under text_config, rope under rope_parameters. */
  @Test
  void parsesTransformers5Layout() {
    String json = """
        {"architectures": ["Qwen2_5_VLForConditionalGeneration"], "model_type": "qwen2_5_vl",
         "image_token_id": 151655, "video_token_id": 151656,
         "vision_start_token_id": 151652, "vision_end_token_id": 151653,
         "text_config": {"model_type": "qwen2_5_vl_text", "vocab_size": 151936, "hidden_size": 2048,
           "intermediate_size": 11008, "num_hidden_layers": 36, "num_attention_heads": 16,
           "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "tie_word_embeddings": true,
           "bos_token_id": 151643, "eos_token_id": [151645, 151643],
           "rope_parameters": {"rope_type": "default", "rope_theta": 500000.0, "mrope_section": [16, 24, 24]}},
         "vision_config": {"model_type": "qwen2_5_vl", "depth": 32, "hidden_size": 1280,
           "intermediate_size": 3420, "num_heads": 16, "in_channels": 3, "out_hidden_size": 2048,
           "window_size": 112, "fullatt_block_indexes": [7, 15, 23, 31], "tokens_per_second": 2}}
        """;
    QwenVLConfig c = QwenVLConfig.parse(read(json), "t5/config.json");
    assertEquals(2048, c.text().hiddenSize());
    assertEquals(128, c.text().headDim());
    assertEquals(500000.0, c.text().ropeTheta());
    assertArrayEquals(new int[] {16, 24, 24}, c.text().mropeSection());
    assertTrue(c.tieWordEmbeddings());
    assertEquals(151655, c.imageTokenId());
    assertArrayEquals(new long[] {151645, 151643}, c.eosTokenIds());
    assertEquals(151643L, c.bosTokenId());
    assertEquals(2048, c.vision().outHiddenSize());
    assertEquals(3420, c.vision().intermediateSize());
  }

  @Test
  void hubJsonRoundTrips() {
    for (String name : new String[] {"qwen2_vl", "qwen2_5_vl"}) {
      QwenVLConfig c = QwenVLConfig.read(golden(name));
      QwenVLConfig back = QwenVLConfig.parse(c.toHubJson(), "roundtrip");
      assertEquals(c.text().hiddenSize(), back.text().hiddenSize());
      assertArrayEquals(c.text().mropeSection(), back.text().mropeSection());
      assertEquals(c.tieWordEmbeddings(), back.tieWordEmbeddings());
      assertEquals(c.vision().intermediateSize(), back.vision().intermediateSize());
      assertArrayEquals(c.vision().fullattBlockIndexes(), back.vision().fullattBlockIndexes());
      assertEquals(c.vision().embedDim(), back.vision().embedDim());
    }
  }

  @Test
  void unknownModelTypeNamesFileAndField(@TempDir Path dir) throws Exception {
    ObjectNode o = QwenVLConfig.read(golden("qwen2_vl")).toHubJson();
    o.put("model_type", "llama");
    Path f = dir.resolve("config.json");
    Files.writeString(f, Json.MAPPER.writeValueAsString(o));
    VirftException e = assertThrows(VirftException.class, () -> QwenVLConfig.read(dir));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("model_type"), e.getMessage());
    assertTrue(e.getMessage().contains("llama"), e.getMessage());
  }

  @Test
  void badFieldsNameTheField() {
    ObjectNode o = QwenVLConfig.read(golden("qwen2_vl")).toHubJson();
    o.remove("hidden_size");
    VirftException e = assertThrows(VirftException.class, () -> QwenVLConfig.parse(o, "c.json"));
    assertTrue(e.getMessage().contains("c.json") && e.getMessage().contains("'hidden_size'"), e.getMessage());

    ObjectNode o2 = QwenVLConfig.read(golden("qwen2_vl")).toHubJson();
    ((ObjectNode) o2.get("rope_scaling")).putArray("mrope_section").add(1).add(2).add(3);
    e = assertThrows(VirftException.class, () -> QwenVLConfig.parse(o2, "c.json"));
    assertTrue(e.getMessage().contains("rope_scaling.mrope_section"), e.getMessage());

    ObjectNode o3 = QwenVLConfig.read(golden("qwen2_vl")).toHubJson();
    o3.put("num_key_value_heads", 3);
    e = assertThrows(VirftException.class, () -> QwenVLConfig.parse(o3, "c.json"));
    assertTrue(e.getMessage().contains("num_key_value_heads"), e.getMessage());
  }

  private static com.fasterxml.jackson.databind.JsonNode read(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
