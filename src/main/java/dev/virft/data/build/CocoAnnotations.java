package dev.virft.data.build;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
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
 * The parts of a COCO or LVIS annotation file a detection dataset needs: images (file, size), boxes
 * per (image, category), categories, and LVIS's verified-absent categories. Parsed as a stream, with
 * segmentations skipped, so COCO train2017 (450 MB) does not need gigabytes of heap.
 */
public final class CocoAnnotations {
  /** @param negCategoryIds LVIS {@code neg_category_ids} (verified absent); empty for COCO */
  public record Image(long id, String fileName, int width, int height, List<Long> negCategoryIds) {}

  /** @param bbox COCO [x, y, w, h] in pixels */
  public record Box(long imageId, long categoryId, double[] bbox, boolean crowd) {}

  public final Path file;
  public final Map<Long, Image> images = new LinkedHashMap<>();
  public final Map<Long, String> categories = new LinkedHashMap<>();
  public final List<Box> boxes = new ArrayList<>();

  private CocoAnnotations(Path file) {
    this.file = file;
  }

  public static CocoAnnotations read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(file + ": annotation file not found");
    }
    CocoAnnotations a = new CocoAnnotations(file);
    try (JsonParser p = Json.MAPPER.createParser(file.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new VirftException(file + ": expected a COCO/LVIS annotation object {images, annotations, categories}");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "images" -> a.readArray(p, field, a::readImage);
          case "categories" -> a.readArray(p, field, a::readCategory);
          case "annotations" -> a.readArray(p, field, a::readAnnotation);
          default -> p.skipChildren();
        }
        if (t == null) break;
      }
    } catch (IOException e) {
      throw new VirftException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    for (String f : List.of("images", "annotations", "categories")) {
      boolean empty = switch (f) {
        case "images" -> a.images.isEmpty();
        case "annotations" -> a.boxes.isEmpty();
        default -> a.categories.isEmpty();
      };
      if (empty) throw new VirftException(file + ": field `" + f + "` missing or empty");
    }
    return a;
  }

  private interface ElementReader {
    void read(JsonParser p, int index) throws IOException;
  }

  private void readArray(JsonParser p, String field, ElementReader r) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new VirftException(file + ": field `" + field + "` is not a list");
    }
    int i = 0;
    while (p.nextToken() == JsonToken.START_OBJECT) {
      r.read(p, i++);
    }
  }

  private void readImage(JsonParser p, int i) throws IOException {
    JsonNode n = Json.MAPPER.readTree(p);
    long id = requireLong(n, "id", "images", i);
    String name = n.hasNonNull("file_name") ? n.get("file_name").asText() : null;
    if (name == null && n.hasNonNull("coco_url")) {
      String url = n.get("coco_url").asText(); // LVIS: images are named by the last part of coco_url
      name = url.substring(url.lastIndexOf('/') + 1);
    }
    if (name == null) {
      throw new VirftException(file + ": images[" + i + "] has neither `file_name` nor `coco_url`");
    }
    List<Long> neg = new ArrayList<>();
    if (n.has("neg_category_ids")) n.get("neg_category_ids").forEach(x -> neg.add(x.asLong()));
    images.put(id, new Image(id, name, n.path("width").asInt(0), n.path("height").asInt(0), List.copyOf(neg)));
  }

  private void readCategory(JsonParser p, int i) throws IOException {
    JsonNode n = Json.MAPPER.readTree(p);
    long id = requireLong(n, "id", "categories", i);
    if (!n.hasNonNull("name")) throw new VirftException(file + ": categories[" + i + "] has no `name`");
    categories.put(id, n.get("name").asText());
  }

  /** Reads one annotation, skipping its segmentation without building it. */
  private void readAnnotation(JsonParser p, int i) throws IOException {
    long imageId = Long.MIN_VALUE;
    long categoryId = Long.MIN_VALUE;
    double[] bbox = null;
    boolean crowd = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "image_id" -> imageId = p.getValueAsLong(Long.MIN_VALUE);
        case "category_id" -> categoryId = p.getValueAsLong(Long.MIN_VALUE);
        case "iscrowd" -> crowd = p.getValueAsInt(0) != 0;
        case "bbox" -> {
          if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new VirftException(file + ": annotations[" + i + "].bbox is not a list [x, y, w, h]");
          }
          List<Double> v = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) v.add(p.getValueAsDouble());
          if (v.size() != 4) throw new VirftException(file + ": annotations[" + i + "].bbox has " + v.size() + " numbers, expected 4 [x, y, w, h]");
          bbox = new double[] {v.get(0), v.get(1), v.get(2), v.get(3)};
        }
        default -> p.skipChildren();
      }
    }
    if (imageId == Long.MIN_VALUE || categoryId == Long.MIN_VALUE || bbox == null) {
      throw new VirftException(file + ": annotations[" + i + "] needs `image_id`, `category_id` and `bbox`");
    }
    boxes.add(new Box(imageId, categoryId, bbox, crowd));
  }

  private long requireLong(JsonNode n, String field, String list, int i) {
    if (!n.hasNonNull(field) || !n.get(field).isIntegralNumber()) {
      throw new VirftException(file + ": " + list + "[" + i + "]." + field + " missing or not an integer");
    }
    return n.get(field).asLong();
  }
}
