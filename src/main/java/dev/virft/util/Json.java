package dev.virft.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The project's one Jackson mapper and helpers that name the file in every error. */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Single-line writer, for JSONL. */
  public static final ObjectMapper COMPACT = new ObjectMapper();

  private Json() {}

  public static JsonNode read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(file + ": file not found");
    }
    try {
      return MAPPER.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new VirftException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new VirftException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * A token-id field such as {@code eos_token_id}: one integer or a list of integers, as transformers'
   * configs allow; anything else is an error naming the file and the field.
   */
  public static long[] ids(JsonNode v, Path file, String field) {
    if (v.isIntegralNumber()) {
      return new long[] {v.asLong()};
    }
    if (v.isArray()) {
      long[] out = new long[v.size()];
      for (int i = 0; i < out.length; i++) {
        if (!v.get(i).isIntegralNumber()) {
          throw new VirftException(file + ": field '" + field + "' is " + v + "; expected integer ids");
        }
        out[i] = v.get(i).asLong();
      }
      return out;
    }
    throw new VirftException(file + ": field '" + field + "' is " + v + "; expected an id or a list of ids");
  }

  public static String line(Object value) {
    try {
      return COMPACT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
