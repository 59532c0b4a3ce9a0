package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.tools.ModelPresets;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** config.json as we write it: the base's own file, and field types transformers accepts. */
class ConfigWriterTest {
  static Path golden(String family) {
    return Path.of("src/test/resources/golden", family, "checkpoint", "config.json");
  }

  @Test
  void writesBackTheBaseFileWithOnlyTheDtypeChanged() {
    for (String family : List.of("qwen2_vl", "qwen2_5_vl")) {
      ObjectNode base = (ObjectNode) Json.read(golden(family));
      base.put("torch_dtype", "bfloat16");
      base.put("some_future_field", 1.5);
      ((ObjectNode) base.get("vision_config")).put("initializer_range", 0.02);
      JsonNode written = QwenVLConfig.parse(base, "base").toHubJson();
      ObjectNode expected = base.deepCopy();
      expected.put("torch_dtype", "float32");
      assertEquals(expected, written, family);
      assertEquals(List.of(), TransformersConfigSchema.violations(written), family);
    }
  }

  @Test
  void transformers5LayoutKeepsItsLayoutAndDtypeField() throws Exception {
    String json = """
        {"model_type": "qwen2_vl", "dtype": "bfloat16", "image_token_id": 593,
         "video_token_id": 594, "vision_start_token_id": 590, "vision_end_token_id": 591,
         "text_config": {"vocab_size": 600, "hidden_size": 64, "intermediate_size": 128,
           "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "dtype": "bfloat16",
           "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [2, 3, 3]}},
         "vision_config": {"depth": 2, "embed_dim": 32, "mlp_ratio": 2, "num_heads": 2, "hidden_size": 64}}
        """;
    JsonNode written = QwenVLConfig.parse(Json.MAPPER.readTree(json), "t5").toHubJson();
    assertEquals("float32", written.get("dtype").asText());
    assertEquals("float32", written.at("/text_config/dtype").asText());
    assertTrue(!written.has("torch_dtype") && !written.has("hidden_size"), written.toString());
    assertEquals(List.of(), TransformersConfigSchema.violations(written));
  }

  @Test
  void configsBuiltInCodeUseTransformersTypes() {
    for (String preset : List.of("tiny", "qwen2-vl-2b")) {
      QwenVLConfig c = ModelPresets.resolve(preset);
      QwenVLConfig rebuilt = new QwenVLConfig(c.family(), c.text(), c.vision(), c.tieWordEmbeddings(),
          c.imageTokenId(), c.videoTokenId(), c.visionStartTokenId(), c.visionEndTokenId(), c.bosTokenId(),
          c.eosTokenIds());
      JsonNode written = rebuilt.toHubJson();
      assertEquals(List.of(), TransformersConfigSchema.violations(written), preset);
      assertTrue(written.at("/vision_config/mlp_ratio").isInt(), written.toString());
    }
    QwenVLConfig c25 = QwenVLConfig.read(golden("qwen2_5_vl"));
    QwenVLConfig rebuilt = new QwenVLConfig(c25.family(), c25.text(), c25.vision(), c25.tieWordEmbeddings(),
        c25.imageTokenId(), c25.videoTokenId(), c25.visionStartTokenId(), c25.visionEndTokenId(),
        c25.bosTokenId(), c25.eosTokenIds());
    assertEquals(List.of(), TransformersConfigSchema.violations(rebuilt.toHubJson()));
  }

  @Test
  void aWholeFloatMlpRatioInTheBaseIsWrittenAsTheIntTransformersDeclares() {
    ObjectNode base = (ObjectNode) Json.read(golden("qwen2_vl"));
    ((ObjectNode) base.get("vision_config")).put("mlp_ratio", 2.0);
    JsonNode written = QwenVLConfig.parse(base, "base").toHubJson();
    assertTrue(written.at("/vision_config/mlp_ratio").isInt(), written.toString());
    assertEquals(2, written.at("/vision_config/mlp_ratio").asInt());
    assertEquals(List.of(), TransformersConfigSchema.violations(written));
  }

  @Test
  void theShippedDemoBaseConfigPassesTheSchema() {
    JsonNode shipped = Json.read(java.nio.file.Path.of("src/main/resources/demo/base/config.json"));
    assertEquals(List.of(), TransformersConfigSchema.violations(shipped));
  }

  @Test
  void theSchemaCatchesWhatTransformersRefuses() {
    ObjectNode bad = (ObjectNode) Json.read(golden("qwen2_vl"));
    ((ObjectNode) bad.get("vision_config")).put("mlp_ratio", 2.0);
    bad.put("rms_norm_eps", 1);
    List<String> v = TransformersConfigSchema.violations(bad);
    assertEquals(2, v.size(), v.toString());
    assertTrue(v.get(0).contains("rms_norm_eps") || v.get(1).contains("rms_norm_eps"), v.toString());
  }

  @Test
  void outOfRangeSizesAreRefusedBeforeAnythingIsBuilt() {
    String[][] cases = {
      {"num_hidden_layers", "2147483647"}, {"num_attention_heads", "0"}, {"vocab_size", "0"},
      {"hidden_size", "-4"}, {"num_key_value_heads", "8"}, {"rms_norm_eps", "0"}, {"image_token_id", "600"},
    };
    for (String[] c : cases) {
      ObjectNode o = (ObjectNode) Json.read(golden("qwen2_vl"));
      o.set(c[0], Json.MAPPER.getNodeFactory().numberNode(Long.parseLong(c[1])));
      VirftException e = assertThrows(VirftException.class, () -> QwenVLConfig.parse(o, "c.json"), c[0]);
      assertTrue(e.getMessage().startsWith("c.json: field '" + c[0] + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }
    ObjectNode o = (ObjectNode) Json.read(golden("qwen2_vl"));
    ((ObjectNode) o.get("vision_config")).put("depth", 1 << 30);
    VirftException e = assertThrows(VirftException.class, () -> QwenVLConfig.parse(o, "c.json"));
    assertTrue(e.getMessage().contains("vision_config.depth"), e.getMessage());
  }
}
