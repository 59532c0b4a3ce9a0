package dev.virft.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The classification validation list: images with a 0-based label index into a class-name file
 * (one name per line, each stripped). The original ships it as a torch pickle (.pth), which is
 * never parsed here; convert it once with Python to one of:
 *
 * <ul>
 *   <li>JSON array, or JSONL, of {@code {"image": PATH, "label": N}};
 *   <li>the .pth structure as JSON: {@code [{PATH: {"label": N}}, ...]} (e.g. {@code
 *       json.dump([{k: {"label": int(v["label"])}} for d in torch.load(p) for k, v in d.items()],
 *       f)});
 *   <li>TSV: {@code PATH<TAB>N} per line.
 * </ul>
 */
public final class ClassificationValList {
  /** One validation image and its class name. */
  public record Item(String image, int label, String className) {}

  private ClassificationValList() {}

  public static List<String> readClassNames(Path file) {
    try {
      List<String> names = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        names.add(line.strip());
      }
      if (names.isEmpty()) {
        throw new VirftException(file + ": no class names; expected one class name per line");
      }
      return names;
    } catch (IOException e) {
      throw new VirftException(file + ": cannot read class names: " + e.getMessage(), e);
    }
  }

  /**
   * Reads the list (format chosen by extension: .json, .jsonl, .tsv) and resolves each label;
   * {@code prefixFrom}/{@code prefixTo} (both null or both set) rewrite the start of image paths, as
   * the original does for its authors' absolute paths.
   */
  public static List<Item> read(Path file, List<String> classNames, String prefixFrom, String prefixTo) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    List<Item> items = new ArrayList<>();
    if (name.endsWith(".tsv")) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isBlank()) {
          continue;
        }
        String[] parts = line.split("\t");
        String where = file + ": line " + (i + 1);
        if (parts.length != 2) {
          throw new VirftException(where + ": expected 'image path<TAB>label index'");
        }
        items.add(item(parts[0], parseLabel(parts[1].strip(), where), classNames, where));
      }
    } else if (name.endsWith(".jsonl")) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) {
          continue;
        }
        String where = file + ": line " + (i + 1);
        JsonNode n;
        try {
          n = Json.MAPPER.readTree(lines.get(i));
        } catch (IOException e) {
          throw new VirftException(where + ": not valid JSON: " + e.getMessage(), e);
        }
        items.add(fromJson(n, classNames, where));
      }
    } else if (name.endsWith(".json")) {
      JsonNode root = Json.read(file);
      if (!root.isArray()) {
        throw new VirftException(file + ": expected a JSON array of {\"image\", \"label\"} objects");
      }
      for (int i = 0; i < root.size(); i++) {
        items.add(fromJson(root.get(i), classNames, file + ": [" + i + "]"));
      }
    } else {
      throw new VirftException(file + ": unknown val-list format; expected .json, .jsonl or .tsv (a .pth pickle is not read: convert it, see the README)");
    }
    if (prefixFrom != null) {
      List<Item> out = new ArrayList<>(items.size());
      for (Item it : items) {
        String img = it.image().startsWith(prefixFrom)
            ? prefixTo + it.image().substring(prefixFrom.length()) : it.image();
        out.add(new Item(img, it.label(), it.className()));
      }
      items = out;
    }
    return items;
  }

  private static List<String> lines(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(file + ": file not found");
    }
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new VirftException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static Item fromJson(JsonNode n, List<String> classNames, String where) {
    if (n == null || !n.isObject()) {
      throw new VirftException(where + ": expected an object {\"image\": path, \"label\": index}");
    }
    if (n.has("image")) {
      JsonNode label = n.get("label");
      if (!n.get("image").isTextual() || label == null || !label.isIntegralNumber()) {
        throw new VirftException(where + ": fields 'image' (string) and 'label' (integer) expected");
      }
      return item(n.get("image").asText(), label.asInt(), classNames, where);
    }
    if (n.size() == 1) {
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode label = e.getValue().get("label");
      if (label == null || !label.isIntegralNumber()) {
        throw new VirftException(where + ": field '" + e.getKey() + "'.label missing; expected {path: {\"label\": index}}");
      }
      return item(e.getKey(), label.asInt(), classNames, where);
    }
    throw new VirftException(where + ": expected {\"image\": path, \"label\": index} or {path: {\"label\": index}}");
  }

  private static int parseLabel(String s, String where) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new VirftException(where + ": label '" + s + "' is not an integer class index");
    }
  }

  private static Item item(String image, int label, List<String> classNames, String where) {
    if (label < 0 || label >= classNames.size()) {
      throw new VirftException(where + ": label " + label + " is outside the class-name file (0.." + (classNames.size() - 1) + ")");
    }
    return new Item(image, label, classNames.get(label));
  }
}
