package dev.virft.processor;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's Jinja {@code chat_template}, rendered with Jinjava the way transformers'
 * {@code apply_chat_template} renders it with jinja2: {@code trim_blocks} and {@code lstrip_blocks} on,
 * one trailing newline of the template dropped ({@code keep_trailing_newline=False}), Python-like
 * semantics (Jinjava's legacy overrides), {@code raise_exception} available, and the tokenizer's
 * special tokens ({@code eos_token}, {@code pad_token}, ...) defined as variables.
 */
public final class ChatTemplate {
  private static final TypeReference<List<Map<String, Object>>> MESSAGES = new TypeReference<>() {};
  /** The message of the template's raise_exception call, which Jinjava's error report does not keep. */
  private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

  private final String source;
  private final String origin;
  private final Map<String, Object> specialTokens;
  private final Jinjava jinjava;

  public ChatTemplate(String source, String origin, Map<String, Object> specialTokens) {
    // jinja2 (keep_trailing_newline=False) drops a single trailing newline of the template source.
    this.source = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
    this.origin = origin;
    this.specialTokens = Map.copyOf(specialTokens);
    this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
        .withTrimBlocks(true)
        .withLstripBlocks(true)
        .withLegacyOverrides(LegacyOverrides.ALL)
        .withFailOnUnknownTokens(false)
        .build());
    jinjava.getGlobalContext().registerFunction(
        new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
  }

  /**
   * Finds the template as transformers does: {@code chat_template.jinja}, then {@code
   * chat_template.json} ({@code "chat_template"} field), then {@code tokenizer_config.json}'s {@code
   * chat_template} (a string, or a list of named templates, of which "default" is taken).
   */
  public static ChatTemplate fromCheckpoint(Path dir) {
    Map<String, Object> special = specialTokens(dir);
    Path jinja = dir.resolve("chat_template.jinja");
    if (Files.isRegularFile(jinja)) {
      try {
        return new ChatTemplate(Files.readString(jinja, StandardCharsets.UTF_8), jinja.toString(), special);
      } catch (IOException e) {
        throw new VirftException(jinja + ": cannot read: " + e.getMessage(), e);
      }
    }
    Path json = dir.resolve("chat_template.json");
    if (Files.isRegularFile(json)) {
      return new ChatTemplate(templateField(Json.read(json), json), json.toString(), special);
    }
    Path cfg = dir.resolve("tokenizer_config.json");
    if (Files.isRegularFile(cfg)) {
      return new ChatTemplate(templateField(Json.read(cfg), cfg), cfg.toString(), special);
    }
    throw new VirftException(dir + ": no chat template (expected chat_template.jinja, chat_template.json or "
        + "tokenizer_config.json with a 'chat_template' field)");
  }

  public String source() {
    return source;
  }

  /** Renders messages given as JSON: a list of {role, content} objects, content a string or a list of parts. */
  public String render(JsonNode messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> list = Json.MAPPER.convertValue(messages, MESSAGES);
    return render(list, addGenerationPrompt);
  }

  /**
   * Renders messages: each a map with {@code role} and {@code content}, the content a string or a list
   * of parts such as {@code {"type": "image"}} and {@code {"type": "text", "text": ...}}.
   */
  public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
    Map<String, Object> ctx = new HashMap<>(specialTokens);
    ctx.put("messages", messages);
    ctx.put("add_generation_prompt", addGenerationPrompt);
    RenderResult r;
    RAISED.remove();
    try {
      r = jinjava.renderForResult(source, ctx);
    } catch (RuntimeException e) {
      throw new VirftException(origin + ": chat_template failed: " + raisedOr(rootMessage(e)), e);
    }
    for (TemplateError err : r.getErrors()) {
      if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new VirftException(origin + ": chat_template failed at line " + err.getLineno() + ": "
            + raisedOr(err.getMessage()));
      }
    }
    RAISED.remove();
    return r.getOutput();
  }

  /** The template's {@code raise_exception(msg)}. */
  public static String raiseException(String message) {
    RAISED.set(message);
    throw new VirftException("chat_template raised: " + message);
  }

  private static String raisedOr(String fallback) {
    String m = RAISED.get();
    RAISED.remove();
    return m != null ? "raise_exception: " + m : fallback;
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  private static String templateField(JsonNode n, Path file) {
    JsonNode t = n.get("chat_template");
    if (t == null || t.isNull()) {
      throw new VirftException(file + ": no 'chat_template' field");
    }
    if (t.isTextual()) {
      return t.asText();
    }
    if (t.isArray()) {
      for (JsonNode e : t) {
        if ("default".equals(e.path("name").asText()) && e.path("template").isTextual()) {
          return e.get("template").asText();
        }
      }
      throw new VirftException(file + ": field 'chat_template' is a list without a template named 'default'");
    }
    throw new VirftException(file + ": field 'chat_template' is " + t.getNodeType() + "; expected a string");
  }

  /** The special tokens transformers passes to the template (bos/eos/unk/pad/... as strings). */
  private static Map<String, Object> specialTokens(Path dir) {
    Map<String, Object> out = new HashMap<>();
    Path cfg = dir.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(cfg)) {
      return out;
    }
    JsonNode n = Json.read(cfg);
    for (String key : new String[] {"bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token",
        "mask_token"}) {
      JsonNode v = n.get(key);
      if (v != null && v.isTextual()) {
        out.put(key, v.asText());
      } else if (v != null && v.isObject() && v.path("content").isTextual()) {
        out.put(key, v.get("content").asText());
      }
    }
    return out;
  }
}
