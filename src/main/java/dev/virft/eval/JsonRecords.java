package dev.virft.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a list of JSON objects from a .jsonl file (one per line) or a JSON array file. */
public final class JsonRecords {
  /** One object and where it came from (file and line or index), for error messages. */
  public record Record(JsonNode node, String where) {
    String text(String field) {
      JsonNode v = node.get(field);
      if (v == null || !v.isTextual()) {
        throw new VirftException(where + ": field '" + field + "' missing or not a string");
      }
      return v.asText();
    }

    double[] numbers(String field, int n) {
      JsonNode v = node.get(field);
      if (v == null || !v.isArray() || v.size() != n) {
        throw new VirftException(where + ": field '" + field + "' must be an array of " + n + " numbers");
      }
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        if (!v.get(i).isNumber()) {
          throw new VirftException(where + ": field '" + field + "' element " + i + " is not a number");
        }
        out[i] = v.get(i).asDouble();
      }
      return out;
    }

    int positiveInt(String field) {
      JsonNode v = node.get(field);
      if (v == null || !v.isIntegralNumber() || v.asInt() <= 0) {
        throw new VirftException(where + ": field '" + field + "' must be a positive integer");
      }
      return v.asInt();
    }
  }

  private JsonRecords() {}

  public static List<Record> read(Path file) {
    List<Record> out = new ArrayList<>();
    if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jsonl")) {
      if (!Files.isRegularFile(file)) {
        throw new VirftException(file + ": file not found");
      }
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new VirftException(file + ": cannot read: " + e.getMessage(), e);
      }
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) {
          continue;
        }
        String where = file + ": line " + (i + 1);
        try {
          JsonNode n = Json.MAPPER.readTree(lines.get(i));
          if (!n.isObject()) {
            throw new VirftException(where + ": expected a JSON object");
          }
          out.add(new Record(n, where));
        } catch (IOException e) {
          throw new VirftException(where + ": not valid JSON: " + e.getMessage(), e);
        }
      }
    } else {
      JsonNode root = Json.read(file);
      if (!root.isArray()) {
        throw new VirftException(file + ": expected a JSON array of objects (or a .jsonl file)");
      }
      for (int i = 0; i < root.size(); i++) {
        String where = file + ": [" + i + "]";
        if (!root.get(i).isObject()) {
          throw new VirftException(where + ": expected a JSON object");
        }
        out.add(new Record(root.get(i), where));
      }
    }
    return out;
  }
}
