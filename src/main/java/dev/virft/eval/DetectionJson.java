package dev.virft.eval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads COCO/LVIS annotation and result files. Streams the file and drops every "segmentation"
 * (polygons/RLE are most of a COCO/LVIS file and the bbox evaluators never read them), so large
 * files such as lvis_v1_val.json load without building a full tree. Every error names the file,
 * the array element and the field.
 */
public final class DetectionJson {
  /** Which dialect a ground-truth file is read as. */
  public enum Format {
    COCO,
    LVIS
  }

  /** One line of a results file, before {@code loadRes} turns it into a {@link Detection}. */
  public record RawResult(long imageId, long categoryId, double[] bbox, double score) {}

  private DetectionJson() {}

  public static DetectionDataset readGroundTruth(Path file, Format format) {
    Map<Long, DetectionDataset.Image> images = new LinkedHashMap<>();
    Map<Long, DetectionDataset.Category> categories = new LinkedHashMap<>();
    List<Detection> annotations = new ArrayList<>();
    boolean[] seen = new boolean[3];
    try (JsonParser p = open(file)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new VirftException(file + ": expected a JSON object with images, annotations and categories");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "images" -> {
            seen[0] = true;
            forEachObject(p, file, "images", (e) -> {
              DetectionDataset.Image img = parseImage(e.node, e.where, format);
              images.put(img.id(), img);
            });
          }
          case "annotations" -> {
            seen[1] = true;
            forEachObject(p, file, "annotations", e -> annotations.add(parseGroundTruthBox(e.node, e.where, format)));
          }
          case "categories" -> {
            seen[2] = true;
            forEachObject(p, file, "categories", e -> {
              DetectionDataset.Category c = parseCategory(e.node, e.where, format);
              categories.put(c.id(), c);
            });
          }
          default -> p.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw new VirftException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new VirftException(file + ": cannot read: " + e.getMessage(), e);
    }
    String[] names = {"images", "annotations", "categories"};
    for (int i = 0; i < 3; i++) {
      if (!seen[i]) {
        throw new VirftException(file + ": field '" + names[i] + "' missing; a " + format + " annotation file has images, annotations and categories arrays");
      }
    }
    return new DetectionDataset(images, categories, annotations);
  }

  /** A results file: a JSON array of {image_id, category_id, bbox [x,y,w,h], score}. */
  public static List<RawResult> readResults(Path file) {
    List<RawResult> out = new ArrayList<>();
    try (JsonParser p = open(file)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new VirftException(file + ": expected a JSON array of detections {image_id, category_id, bbox, score}");
      }
      forEachObject(p, file, "", e -> out.add(parseResult(e.node, e.where)));
    } catch (JsonProcessingException e) {
      throw new VirftException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new VirftException(file + ": cannot read: " + e.getMessage(), e);
    }
    return out;
  }

  private static JsonParser open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(file + ": file not found");
    }
    return Json.MAPPER.createParser(file.toFile());
  }

  private record Element(ObjectNode node, String where) {}

  private interface ElementHandler {
    void accept(Element e);
  }

  /** Calls {@code handler} with each object of the array the parser is on, segmentations dropped. */
  private static void forEachObject(JsonParser p, Path file, String array, ElementHandler handler)
      throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new VirftException(file + ": field '" + array + "' must be an array");
    }
    int index = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String where = file + ": " + array + "[" + index + "]";
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new VirftException(where + ": expected an object");
      }
      ObjectNode node = Json.MAPPER.createObjectNode();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("segmentation")) {
          p.skipChildren();
        } else {
          node.set(name, p.readValueAsTree());
        }
      }
      handler.accept(new Element(node, where));
      index++;
    }
  }

  private static DetectionDataset.Image parseImage(ObjectNode n, String where, Format format) {
    long id = integer(n, "id", where);
    if (format == Format.COCO) {
      return new DetectionDataset.Image(id, null, null);
    }
    return new DetectionDataset.Image(
        id, idList(n, "neg_category_ids", where), idList(n, "not_exhaustive_category_ids", where));
  }

  private static DetectionDataset.Category parseCategory(ObjectNode n, String where, Format format) {
    long id = integer(n, "id", where);
    JsonNode name = n.get("name");
    String nameText = name == null || name.isNull() ? String.valueOf(id) : name.asText();
    String freq = null;
    if (format == Format.LVIS) {
      JsonNode f = n.get("frequency");
      if (f == null || !f.isTextual() || !List.of("r", "c", "f").contains(f.asText())) {
        throw new VirftException(where + " (id " + id + "): field 'frequency' must be \"r\", \"c\" or \"f\" (LVIS category)");
      }
      freq = f.asText();
    }
    return new DetectionDataset.Category(id, nameText, freq);
  }

  private static Detection parseGroundTruthBox(ObjectNode n, String where, Format format) {
    long id = integer(n, "id", where);
    String at = where + " (id " + id + ")";
    long imageId = integer(n, "image_id", at);
    long categoryId = integer(n, "category_id", at);
    double[] b = bbox(n, at);
    double area = number(n, "area", at);
    // pycocotools reads iscrowd unconditionally (KeyError when absent); a missing one is taken as 0.
    int iscrowd = n.has("iscrowd") ? flag(n, "iscrowd", at) : 0;
    boolean ignore = n.has("ignore") && flag(n, "ignore", at) != 0;
    if (format == Format.LVIS) {
      iscrowd = 0; // lvis-api passes iscrowd=0 for every box and has no crowd logic
    }
    return new Detection(id, imageId, categoryId, b[0], b[1], b[2], b[3], area, iscrowd, ignore, 0.0);
  }

  private static RawResult parseResult(ObjectNode n, String where) {
    long imageId = integer(n, "image_id", where);
    long categoryId = integer(n, "category_id", where);
    double[] b = bbox(n, where);
    double score = number(n, "score", where);
    return new RawResult(imageId, categoryId, b, score);
  }

  private static long integer(ObjectNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw new VirftException(where + ": field '" + field + "' missing or not a number; expected an integer id");
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.asLong();
    }
    double d = v.asDouble();
    if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
      return (long) d;
    }
    throw new VirftException(where + ": field '" + field + "' is " + v + "; expected an integer id");
  }

  private static double number(ObjectNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw new VirftException(where + ": field '" + field + "' missing or not a number");
    }
    double d = v.asDouble();
    if (!Double.isFinite(d)) {
      throw new VirftException(where + ": field '" + field + "' is not a finite number");
    }
    return d;
  }

  /** iscrowd / ignore: an integer or a boolean (Python truthiness). */
  private static int flag(ObjectNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v.isBoolean()) {
      return v.asBoolean() ? 1 : 0;
    }
    if (v.isIntegralNumber()) {
      return v.asLong() != 0 ? 1 : 0;
    }
    throw new VirftException(where + ": field '" + field + "' is " + v + "; expected 0, 1, true or false");
  }

  private static double[] bbox(ObjectNode n, String where) {
    JsonNode v = n.get("bbox");
    if (v == null || !v.isArray() || v.size() != 4) {
      throw new VirftException(where + ": field 'bbox' must be an array of 4 numbers [x, y, width, height]");
    }
    double[] b = new double[4];
    for (int i = 0; i < 4; i++) {
      if (!v.get(i).isNumber() || !Double.isFinite(v.get(i).asDouble())) {
        throw new VirftException(where + ": field 'bbox' must be an array of 4 numbers [x, y, width, height]; element " + i + " is " + v.get(i));
      }
      b[i] = v.get(i).asDouble();
    }
    return b;
  }

  private static long[] idList(ObjectNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isArray()) {
      throw new VirftException(where + ": field '" + field + "' missing; an LVIS image lists neg_category_ids and not_exhaustive_category_ids (is this a COCO file?)");
    }
    long[] out = new long[v.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode e = v.get(i);
      if (!e.isIntegralNumber()) {
        throw new VirftException(where + ": field '" + field + "' element " + i + " is " + e + "; expected an integer category id");
      }
      out[i] = e.asLong();
    }
    return out;
  }
}
