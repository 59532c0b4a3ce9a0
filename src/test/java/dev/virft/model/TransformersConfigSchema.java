package dev.virft.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The field types transformers' Qwen2-VL / Qwen2.5-VL config classes declare (test resource
 * transformers/qwen_vl_config_schema.json), and a check of a config.json against them as
 * {@code from_pretrained}'s strict dataclasses do it.
 */
public final class TransformersConfigSchema {
  private static final JsonNode SCHEMA =
      Json.read(Path.of("src/test/resources/transformers/qwen_vl_config_schema.json"));

  private TransformersConfigSchema() {}

  /** Every declared field present with a type transformers refuses, as "path: expected [..], got T (value)". */
  public static List<String> violations(JsonNode config) {
    List<String> out = new ArrayList<>();
    String modelType = config.path("model_type").asText();
    JsonNode family = SCHEMA.get(modelType);
    if (family == null) {
      out.add("model_type: '" + modelType + "' is neither qwen2_vl nor qwen2_5_vl");
      return out;
    }
    check(config, "", out, SCHEMA.get("pretrained"), family.get("top"), family.get("text_config"));
    if (config.has("text_config") && config.get("text_config").isObject()) {
      check(config.get("text_config"), "text_config.", out, SCHEMA.get("pretrained"), family.get("text_config"));
    }
    if (config.has("vision_config") && config.get("vision_config").isObject()) {
      check(config.get("vision_config"), "vision_config.", out, SCHEMA.get("pretrained"), family.get("vision_config"));
    }
    return out;
  }

  private static void check(JsonNode obj, String prefix, List<String> out, JsonNode... schemas) {
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode allowed = null;
      for (JsonNode s : schemas) {
        if (s.has(f.getKey())) {
          allowed = s.get(f.getKey());
        }
      }
      if (allowed == null) {
        continue; // undeclared: transformers takes it as a kwarg without a type check
      }
      String actual = pythonType(f.getValue());
      boolean ok = false;
      for (JsonNode a : allowed) {
        ok |= a.asText().equals(actual) || actual.equals("list[]") && a.asText().startsWith("list");
      }
      if (!ok) {
        out.add(prefix + f.getKey() + ": expected " + allowed + ", got " + actual + " (" + f.getValue() + ")");
      }
    }
  }

  /** The Python type json.load gives the value. */
  static String pythonType(JsonNode v) {
    if (v.isNull()) return "null";
    if (v.isBoolean()) return "bool";
    if (v.isIntegralNumber()) return "int";
    if (v.isNumber()) return "float";
    if (v.isTextual()) return "str";
    if (v.isObject()) return "dict";
    if (v.isArray()) {
      String item = null;
      for (JsonNode e : v) {
        String t = pythonType(e);
        if (item != null && !item.equals(t)) return "list[mixed]";
        item = t;
      }
      return item == null ? "list[]" : "list[" + item + "]";
    }
    return "unknown";
  }
}
