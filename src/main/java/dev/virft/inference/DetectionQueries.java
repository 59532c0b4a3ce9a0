package dev.virft.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.data.Prompts;
import dev.virft.data.build.CocoAnnotations;
import dev.virft.eval.DetectionJson;
import dev.virft.py.PyError;
import dev.virft.py.PyNumbers;
import dev.virft.reward.DetectionAnswerParser;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The (image, category) questions of the original's COCO/LVIS evaluation (spec §3.1–3.2) and the
 * conversion of their answers to a COCO results list.
 *
 * <p>Per image, the categories asked are those its existence map lists (the baseline model's
 * guesses, what the paper's numbers use) or, without a map, those with ground-truth boxes (the
 * oracle variant of the repository's first version); either way only the selected categories, when
 * some are selected. Each question is {@code "<image>\n"} + the detection prompt.
 */
public final class DetectionQueries {
  /** One question with what its answer needs to become results. */
  public record Item(ModelQuery query, long imageId, long categoryId, int width, int height) {}

  /** COCO results and how many answers gave no usable boxes. */
  public record Results(List<DetectionJson.RawResult> results, int parseErrors, int nonFiniteScores) {}

  private static final List<String> LVIS_SPLITS = List.of("val2017", "train2017");

  private DetectionQueries() {}

  /**
   * @param existenceMap JSON {@code {"<image id>": ["name", ...]}}, or null for ground-truth categories
   * @param selected category names to keep (all when empty)
   * @param lvis resolve images also under {@code images/val2017} and {@code images/train2017}, since
   *     LVIS val draws from both COCO splits (the original's path is the last two parts of coco_url)
   * @param prefix put before each question: {@link Prompts#EVAL_IMAGE_PREFIX} as the original, or ""
   */
  public static List<Item> plan(CocoAnnotations ann, Path images, Path existenceMap, List<String> selected,
      boolean lvis, String prefix) {
    Map<String, Long> idByName = new HashMap<>();
    ann.categories.forEach((id, name) -> idByName.putIfAbsent(name, id));
    for (String s : selected) {
      if (!idByName.containsKey(s)) {
        throw new VirftException("--categories: '" + s + "' is not a category of " + ann.file);
      }
    }
    Set<String> keep = new LinkedHashSet<>(selected);
    JsonNode map = existenceMap == null ? null : readMap(existenceMap);
    Map<Long, TreeSet<Long>> gtCats = new HashMap<>();
    for (CocoAnnotations.Box b : ann.boxes) {
      gtCats.computeIfAbsent(b.imageId(), k -> new TreeSet<>()).add(b.categoryId());
    }
    List<Item> out = new ArrayList<>();
    for (CocoAnnotations.Image img : ann.images.values()) {
      List<String> names = new ArrayList<>();
      if (map != null) {
        JsonNode listed = map.get(Long.toString(img.id()));
        if (listed != null) {
          for (JsonNode n : listed) {
            names.add(n.asText());
          }
        }
      } else {
        for (long c : gtCats.getOrDefault(img.id(), new TreeSet<>())) {
          names.add(ann.categories.get(c));
        }
      }
      Set<String> asked = new LinkedHashSet<>();
      for (String name : names) {
        if (!keep.isEmpty() && !keep.contains(name)) {
          continue;
        }
        if (!idByName.containsKey(name)) {
          throw new VirftException(existenceMap + ": image " + img.id() + " lists category '" + name
              + "', which is not a category of " + ann.file);
        }
        asked.add(name);
      }
      if (asked.isEmpty()) {
        continue;
      }
      Path file = imageFile(images, img.fileName(), lvis);
      int w = img.width(), h = img.height();
      if (w <= 0 || h <= 0) {
        int[] size = ImageSize.of(file);
        w = size[0];
        h = size[1];
      }
      for (String name : asked) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("image_id", img.id());
        fields.put("category", name);
        ModelQuery q = new ModelQuery(img.id() + "|" + name, file, null,
            prefix + Prompts.detection(name), fields);
        out.add(new Item(q, img.id(), idByName.get(name), w, h));
      }
    }
    return out;
  }

  private static JsonNode readMap(Path file) {
    JsonNode map = Json.read(file);
    if (!map.isObject()) {
      throw new VirftException(file + ": expected an existence map {\"<image id>\": [\"category name\", ...]}");
    }
    map.fields().forEachRemaining(e -> {
      if (!e.getValue().isArray()) {
        throw new VirftException(file + ": field '" + e.getKey() + "' is " + e.getValue().getNodeType()
            + ", expected a list of category names");
      }
      for (JsonNode n : e.getValue()) {
        if (!n.isTextual()) {
          throw new VirftException(file + ": field '" + e.getKey() + "' has " + n + ", expected category names (strings)");
        }
      }
    });
    return map;
  }

  private static Path imageFile(Path images, String name, boolean lvis) {
    Path direct = images.resolve(name);
    if (Files.isRegularFile(direct) || !lvis) {
      return direct;
    }
    for (String split : LVIS_SPLITS) {
      Path p = images.resolve(split).resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return direct;
  }

  /**
   * The evaluation script's results for the answers (keyed by query key): the answer cleaned and
   * parsed as {@link DetectionAnswerParser#parseForEval} does, each box {@code [x1·W/1000, y1·H/1000,
   * (x2−x1)·W/1000, (y2−y1)·H/1000]} with its raw Confidence as score. A box whose score is not a
   * finite number is left out (JSON has no NaN; pycocotools would sort it arbitrarily).
   */
  public static Results results(List<Item> items, Map<String, String> answers) {
    List<DetectionJson.RawResult> out = new ArrayList<>();
    int errors = 0, nonFinite = 0;
    for (Item it : items) {
      DetectionAnswerParser.EvalBoxes boxes =
          DetectionAnswerParser.parseForEval(answers.get(it.query().key()), it.width(), it.height());
      if (boxes.error()) {
        errors++;
      }
      for (DetectionAnswerParser.PixelBox b : boxes.boxes()) {
        double score = finiteScore(b.score());
        if (!Double.isFinite(score) || !allFinite(b.bbox())) {
          nonFinite++;
          continue;
        }
        out.add(new DetectionJson.RawResult(it.imageId(), it.categoryId(), b.bbox(), score));
      }
    }
    return new Results(out, errors, nonFinite);
  }

  /** Python's float(score), NaN where it overflows (an int beyond the double range). */
  private static double finiteScore(Object score) {
    try {
      return PyNumbers.toFloat(score);
    } catch (PyError e) {
      return Double.NaN;
    }
  }

  private static boolean allFinite(double[] v) {
    for (double x : v) {
      if (!Double.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  /** Writes results as the COCO results JSON ({@code [{image_id, category_id, bbox, score}]}), atomically. */
  public static void write(List<DetectionJson.RawResult> results, Path file) {
    ArrayNode arr = Json.MAPPER.createArrayNode();
    for (DetectionJson.RawResult r : results) {
      ObjectNode o = arr.addObject();
      o.put("image_id", r.imageId());
      o.put("category_id", r.categoryId());
      ArrayNode b = o.putArray("bbox");
      for (double v : r.bbox()) {
        b.add(v);
      }
      o.put("score", r.score());
    }
    AtomicFiles.writeString(file, Json.line(arr) + "\n");
  }
}
