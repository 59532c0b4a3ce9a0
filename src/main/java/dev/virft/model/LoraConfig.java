package dev.virft.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A LoRA adapter's hyper-parameters as PEFT's {@code LoraConfig} names them: rank {@code r},
 * {@code lora_alpha} (the update is scaled by alpha / r), dropout, and the language-model linear
 * modules that carry adapters. The vision tower never does (as EasyR1 and verl: vLLM has no ViT LoRA,
 * and the recipes that use LoRA keep the ViT frozen).
 *
 * @param baseModel the base checkpoint directory (written as {@code base_model_name_or_path})
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules, Path baseModel) {
  public static final String CONFIG_FILE = "adapter_config.json";
  public static final String WEIGHTS_FILE = "adapter_model.safetensors";

  /** The language model's linear modules, in the order a decoder layer runs them. */
  public static final List<String> MODULES =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  public LoraConfig {
    targetModules = List.copyOf(targetModules);
  }

  /** Checks the values a user can give on the command line; {@code what} names where they came from. */
  public LoraConfig validated(String what) {
    if (r < 1) {
      throw new VirftException(what + ": lora r " + r + ", expected an integer >= 1");
    }
    if (!(alpha > 0) || !Double.isFinite(alpha)) {
      throw new VirftException(what + ": lora_alpha " + alpha + ", expected a positive number");
    }
    if (dropout != 0.0) {
      // Dropout on the adapter input would need its own seeded stream per micro-batch for exact
      // resume; not implemented, so it is refused rather than silently ignored.
      throw new VirftException(what + ": lora_dropout " + dropout + ", only 0 is supported");
    }
    if (targetModules.isEmpty()) {
      throw new VirftException(what + ": lora_target_modules is empty, expected some of " + MODULES);
    }
    for (String m : targetModules) {
      if (!MODULES.contains(m)) {
        throw new VirftException(what + ": lora_target_modules has '" + m + "', expected names among " + MODULES
            + " (language model only; the vision tower takes no adapters)");
      }
    }
    return this;
  }

  public double scaling() {
    return alpha / r;
  }

  static String parentOf(String module) {
    return module.equals("gate_proj") || module.equals("up_proj") || module.equals("down_proj") ? "mlp." : "self_attn.";
  }

  /**
   * PEFT's target_modules as a regex over module paths rather than a list of names: a list would also
   * match the Qwen2.5-VL vision tower's MLP ({@code gate_proj}/{@code up_proj}/{@code down_proj}),
   * which has no adapter here. Both transformers' module layouts (before and after 4.52) match.
   */
  String peftTargetRegex() {
    List<String> attn = new ArrayList<>();
    List<String> mlp = new ArrayList<>();
    for (String m : MODULES) {
      if (targetModules.contains(m)) {
        (parentOf(m).equals("mlp.") ? mlp : attn).add(m);
      }
    }
    List<String> alts = new ArrayList<>();
    if (!attn.isEmpty()) {
      alts.add("self_attn\\.(" + String.join("|", attn) + ")");
    }
    if (!mlp.isEmpty()) {
      alts.add("mlp\\.(" + String.join("|", mlp) + ")");
    }
    return "model\\.(language_model\\.)?layers\\.\\d+\\.(" + String.join("|", alts) + ")";
  }

  /** adapter_config.json as PEFT writes it for a LoRA adapter (fields PEFT's LoraConfig accepts). */
  public ObjectNode toPeftJson() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.putObject("alpha_pattern");
    o.putNull("auto_mapping");
    o.put("base_model_name_or_path", baseModel == null ? null : baseModel.toString());
    o.put("bias", "none");
    o.put("fan_in_fan_out", false);
    o.put("inference_mode", true);
    o.put("init_lora_weights", true);
    o.putNull("layers_pattern");
    o.putNull("layers_to_transform");
    if (alpha == Math.rint(alpha)) {
      o.put("lora_alpha", (long) alpha); // PEFT's field is an int
    } else {
      o.put("lora_alpha", alpha);
    }
    o.put("lora_dropout", dropout);
    o.putNull("modules_to_save");
    o.put("peft_type", "LORA");
    o.put("r", r);
    o.putObject("rank_pattern");
    o.putNull("revision");
    o.put("target_modules", peftTargetRegex());
    o.put("task_type", "CAUSAL_LM");
    o.put("use_dora", false);
    o.put("use_rslora", false);
    return o;
  }

  /** Whether a directory holds a PEFT adapter rather than full weights. */
  public static boolean isAdapterDir(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG_FILE));
  }

  /**
   * Reads a PEFT LoRA adapter_config.json. Options this implementation does not have (DoRA, rsLoRA,
   * trained biases, per-module ranks, extra saved modules) are refused by field name.
   */
  public static LoraConfig read(Path adapterDir) {
    Path f = adapterDir.resolve(CONFIG_FILE);
    JsonNode j = Json.read(f);
    if (!j.isObject()) {
      throw new VirftException(f + ": expected a JSON object");
    }
    String type = j.path("peft_type").asText("");
    if (!type.equals("LORA")) {
      throw new VirftException(f + ": field 'peft_type' is '" + type + "', expected \"LORA\"");
    }
    refuse(f, j, "use_dora", true);
    refuse(f, j, "use_rslora", true);
    if (j.hasNonNull("bias") && !j.get("bias").asText().equals("none")) {
      throw new VirftException(f + ": field 'bias' is " + j.get("bias") + ", expected \"none\"");
    }
    for (String field : List.of("rank_pattern", "alpha_pattern")) {
      if (j.hasNonNull(field) && j.get(field).size() > 0) {
        throw new VirftException(f + ": field '" + field + "' is not empty; per-module ranks are not supported");
      }
    }
    if (j.hasNonNull("modules_to_save") && j.get("modules_to_save").size() > 0) {
      throw new VirftException(f + ": field 'modules_to_save' is not empty; only LoRA matrices are supported");
    }
    JsonNode r = j.get("r");
    if (r == null || !r.canConvertToInt() || !r.isIntegralNumber()) {
      throw new VirftException(f + ": field 'r' is " + r + ", expected an integer >= 1");
    }
    JsonNode alpha = j.get("lora_alpha");
    if (alpha == null || !alpha.isNumber()) {
      throw new VirftException(f + ": field 'lora_alpha' is " + alpha + ", expected a number");
    }
    JsonNode tm = j.get("target_modules");
    List<String> targets = new ArrayList<>();
    if (tm != null && tm.isArray()) {
      for (JsonNode n : (ArrayNode) tm) {
        String name = n.asText();
        // PEFT matches a list entry against the end of each module path.
        String last = name.substring(name.lastIndexOf('.') + 1);
        if (!MODULES.contains(last)) {
          throw new VirftException(f + ": field 'target_modules' has '" + name + "', expected names among " + MODULES);
        }
        if (!targets.contains(last)) {
          targets.add(last);
        }
      }
    } else if (tm != null && tm.isTextual()) {
      Pattern p;
      try {
        p = Pattern.compile(tm.asText());
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new VirftException(f + ": field 'target_modules' is not a valid regex: " + e.getDescription());
      }
      for (String m : MODULES) {
        String parent = parentOf(m);
        if (p.matcher("model.layers.0." + parent + m).matches()
            || p.matcher("model.language_model.layers.0." + parent + m).matches()) {
          targets.add(m);
        }
      }
    } else {
      throw new VirftException(f + ": field 'target_modules' is " + tm + ", expected a list of module names or a regex");
    }
    String base = j.hasNonNull("base_model_name_or_path") ? j.get("base_model_name_or_path").asText() : null;
    Path basePath = base == null ? null : resolveBase(adapterDir, base);
    // Dropout is a training-time option: an adapter trained with it loads and runs unchanged.
    return new LoraConfig(r.asInt(), alpha.asDouble(), 0.0, targets, basePath).validated(f.toString());
  }

  private static void refuse(Path f, JsonNode j, String field, boolean value) {
    if (j.hasNonNull(field) && j.get(field).asBoolean() == value) {
      throw new VirftException(f + ": field '" + field + "' is " + value + ", which is not supported (plain LoRA only)");
    }
  }

  /** A relative base path is taken from the working directory, else from next to the adapter. */
  private static Path resolveBase(Path adapterDir, String base) {
    Path p = Path.of(base);
    if (p.isAbsolute() || Files.isDirectory(p)) {
      return p;
    }
    Path beside = adapterDir.toAbsolutePath().getParent() == null ? p : adapterDir.toAbsolutePath().getParent().resolve(p);
    return Files.isDirectory(beside) ? beside : p;
  }

  /** The base model directory an adapter names; fails naming the file and field when unusable. */
  public Path requireBase(Path adapterDir) {
    Path f = adapterDir.resolve(CONFIG_FILE);
    if (baseModel == null) {
      throw new VirftException(f + ": field 'base_model_name_or_path' is missing, expected the base checkpoint directory");
    }
    if (!Files.isRegularFile(baseModel.resolve("config.json"))) {
      throw new VirftException(f + ": field 'base_model_name_or_path' is '" + baseModel
          + "', expected a local checkpoint directory with config.json (no downloads at run time)");
    }
    return baseModel;
  }

  public LoraConfig withBase(Path base) {
    return new LoraConfig(r, alpha, dropout, targetModules, base);
  }
}
