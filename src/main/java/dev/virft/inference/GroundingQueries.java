package dev.virft.inference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.data.Prompts;
import dev.virft.eval.JsonRecords;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The LISA evaluation's questions (spec §3.4): per item, {@code instruction[0]} asked with the system
 * prompt and the evaluation question ("instruction." + the grounding suffix), scored against
 * {@code boxes[0]}. Items come from the original's {@code lisa_{split}.json} (gen_box_ann.py:
 * {@code {image_path, instruction: [...], boxes: [[x1, y1, x2, y2]]}}, pixels) or straight from a LISA
 * {@code val}/{@code test} folder ({@code *.json} + {@code .jpg}: {@code text[0]}, the first polygon
 * and its bounding box, which also gives the box-mask gIoU/cIoU).
 */
public final class GroundingQueries {
  /** One sample: what to ask and what {@code virft eval grounding --predictions} needs to score it. */
  public record Item(ModelQuery query, String image, double[] gtBox, int width, int height, List<double[]> polygon) {}

  private GroundingQueries() {}

  /** Items of a gen_box_ann-style JSON array or JSONL; relative image paths are read from the file's folder. */
  public static List<Item> fromFile(Path file) {
    Path base = file.toAbsolutePath().getParent();
    List<Item> out = new ArrayList<>();
    List<JsonRecords.Record> records = JsonRecords.read(file);
    for (int i = 0; i < records.size(); i++) {
      JsonNode n = records.get(i).node();
      String where = file + ": record " + (i + 1);
      String image = text(n, where, "image_path", "image");
      String instruction = first(n, where, "instruction").asText();
      JsonNode boxNode = n.has("boxes") ? first(n, where, "boxes") : n.get("gt_box");
      double[] box = numbers(boxNode, 4, where, n.has("boxes") ? "boxes[0]" : "gt_box");
      List<double[]> polygon = null;
      if (n.hasNonNull("gt_polygon")) {
        polygon = points(n.get("gt_polygon"), where, "gt_polygon");
      }
      out.add(item(i, base.resolve(image), image, instruction, box, polygon));
    }
    return out;
  }

  /** Items of a LISA folder: each {@code X.json} with an {@code X.jpg}, in file-name order. */
  public static List<Item> fromLisaFolder(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new VirftException(dir + ": not a directory (expected a LISA val/test folder of *.json + *.jpg)");
    }
    List<Path> jsons;
    try (Stream<Path> s = Files.list(dir)) {
      jsons = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new VirftException(dir + ": cannot list: " + e.getMessage(), e);
    }
    List<Item> out = new ArrayList<>();
    for (Path json : jsons) {
      Path jpg = json.resolveSibling(json.getFileName().toString().replaceAll("\\.json$", ".jpg"));
      if (!Files.isRegularFile(jpg)) {
        continue; // as gen_box_ann.py: annotation files without their image are skipped
      }
      JsonNode n = Json.read(json);
      String where = json.toString();
      String instruction = first(n, where, "text").asText();
      JsonNode shapes = n.get("shapes");
      if (shapes == null || !shapes.isArray() || shapes.isEmpty()) {
        throw new VirftException(json + ": field 'shapes' missing or empty, expected [{points: [[x, y], ...]}]");
      }
      List<double[]> polygon = points(shapes.get(0).get("points"), where, "shapes[0].points");
      double x1 = Double.MAX_VALUE, y1 = Double.MAX_VALUE, x2 = -Double.MAX_VALUE, y2 = -Double.MAX_VALUE;
      for (double[] p : polygon) {
        x1 = Math.min(x1, p[0]);
        y1 = Math.min(y1, p[1]);
        x2 = Math.max(x2, p[0]);
        y2 = Math.max(y2, p[1]);
      }
      out.add(item(out.size(), jpg, jpg.toString(), instruction, new double[] {x1, y1, x2, y2}, polygon));
    }
    if (out.isEmpty()) {
      throw new VirftException(dir + ": no LISA samples (no *.json with a matching .jpg)");
    }
    return out;
  }

  private static Item item(int index, Path file, String image, String instruction, double[] box, List<double[]> polygon) {
    int[] size = ImageSize.of(file);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("image", image);
    fields.put("instruction", instruction);
    ModelQuery q = new ModelQuery(index + "|" + image, file, Prompts.SYSTEM_PROMPT,
        Prompts.lisaEvalQuestion(instruction), fields);
    return new Item(q, image, box, size[0], size[1], polygon);
  }

  /** Writes the predictions JSONL that {@code virft eval grounding --predictions} scores. */
  public static void writePredictions(List<Item> items, Map<String, String> answers, Path file) {
    StringBuilder sb = new StringBuilder();
    for (Item it : items) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("image", it.image());
      line.put("instruction", it.query().fields().get("instruction"));
      line.put("response", answers.get(it.query().key()));
      line.put("gt_box", it.gtBox());
      line.put("width", it.width());
      line.put("height", it.height());
      if (it.polygon() != null) {
        line.put("gt_polygon", it.polygon());
      }
      sb.append(Json.line(line)).append('\n');
    }
    AtomicFiles.writeString(file, sb.toString());
  }

  private static String text(JsonNode n, String where, String... fields) {
    for (String f : fields) {
      if (n.path(f).isTextual()) {
        return n.get(f).asText();
      }
    }
    throw new VirftException(where + ": field '" + fields[0] + "' missing, expected the image path (text)");
  }

  /** A text field, or the first element of a list field (the original uses instruction[0], boxes[0]). */
  private static JsonNode first(JsonNode n, String where, String field) {
    JsonNode v = n.get(field);
    if (v != null && v.isArray() && !v.isEmpty()) {
      return v.get(0);
    }
    if (v != null && v.isTextual()) {
      return v;
    }
    throw new VirftException(where + ": field '" + field + "' missing or empty, expected a non-empty list");
  }

  private static double[] numbers(JsonNode v, int n, String where, String field) {
    if (v == null || !v.isArray() || v.size() != n) {
      throw new VirftException(where + ": field '" + field + "' is " + v + ", expected " + n + " numbers");
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      if (!v.get(i).isNumber()) {
        throw new VirftException(where + ": field '" + field + "' is " + v + ", expected " + n + " numbers");
      }
      out[i] = v.get(i).asDouble();
    }
    return out;
  }

  private static List<double[]> points(JsonNode v, String where, String field) {
    if (v == null || !v.isArray() || v.size() < 3) {
      throw new VirftException(where + ": field '" + field + "' must be a polygon of at least 3 [x, y] points");
    }
    List<double[]> out = new ArrayList<>();
    for (JsonNode p : v) {
      out.add(numbers(p, 2, where, field));
    }
    return out;
  }
}
