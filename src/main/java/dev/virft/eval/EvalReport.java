package dev.virft.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A metrics report: the text printed by {@code virft eval ...} and the same numbers as JSON (NaN
 * written as null). Built from an evaluator so that both the results-file path and a later
 * model-driven path print the same thing.
 */
public record EvalReport(String text, ObjectNode json) {

  private static final String[] COCO_LINES = {
    "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
  };

  /** The 12 COCO stats, the per-class AP table and, if names are given, their mean. */
  public static EvalReport coco(CocoEval ev, DetectionDataset gt, List<String> selected) {
    StringBuilder sb = new StringBuilder();
    ObjectNode json = Json.MAPPER.createObjectNode();
    ObjectNode stats = json.putObject("stats");
    double[] s = ev.stats();
    for (int i = 0; i < s.length; i++) {
      sb.append(String.format(Locale.ROOT, " %s = %.3f%n", COCO_LINES[i], s[i]));
      putNumber(stats, CocoEval.STAT_NAMES.get(i), s[i]);
    }
    perClass(sb, json, "per_class_ap", "AP (IoU .50:.95, area all, 100 dets) x100", ev.perClassAp(), gt);
    if (selected != null && !selected.isEmpty()) {
      selected(sb, json, selected, ev.meanAp(selected));
    }
    return new EvalReport(sb.toString(), json);
  }

  /** The LVIS results, the notebook's area-averaged per-class table and, if names are given, their mean. */
  public static EvalReport lvis(LvisEval ev, DetectionDataset gt, List<String> selected) {
    StringBuilder sb = new StringBuilder();
    ObjectNode json = Json.MAPPER.createObjectNode();
    ObjectNode stats = json.putObject("stats");
    for (Map.Entry<String, Double> e : ev.results().entrySet()) {
      sb.append(String.format(Locale.ROOT, " %-8s = %.3f%n", e.getKey(), e.getValue()));
      putNumber(stats, e.getKey(), e.getValue());
    }
    perClass(sb, json, "per_class_area_averaged_ap",
        "Visual-RFT per-class AP (IoU .50:.95, mean over all 4 area ranges) x100",
        ev.perClassAreaAveragedAp(), gt);
    if (selected != null && !selected.isEmpty()) {
      selected(sb, json, selected, ev.meanAreaAveragedAp(selected));
    }
    return new EvalReport(sb.toString(), json);
  }

  private static void perClass(StringBuilder sb, ObjectNode json, String key, String title,
      Map<Long, Double> ap, DetectionDataset gt) {
    sb.append(String.format(Locale.ROOT, "%n%s%n %8s  %8s  %s%n", title, "id", "AP", "category"));
    ArrayNode arr = json.putArray(key);
    for (Map.Entry<Long, Double> e : ap.entrySet()) {
      String name = gt.categories().get(e.getKey()).name();
      sb.append(String.format(Locale.ROOT, " %8d  %8s  %s%n", e.getKey(),
          e.getValue().isNaN() ? "n/a" : String.format(Locale.ROOT, "%.1f", e.getValue()), name));
      ObjectNode row = arr.addObject();
      row.put("id", e.getKey());
      row.put("name", name);
      putNumber(row, "ap", e.getValue());
    }
  }

  private static void selected(StringBuilder sb, ObjectNode json, List<String> names, double map) {
    sb.append(String.format(Locale.ROOT, "%nmAP over %d selected categories (x100): %.2f%n", names.size(), map));
    ArrayNode arr = json.putArray("selected_categories");
    names.forEach(arr::add);
    putNumber(json, "selected_map", map);
  }

  /** Puts a number, or null for NaN (JSON has no NaN). */
  public static void putNumber(ObjectNode node, String key, double v) {
    if (Double.isNaN(v)) {
      node.putNull(key);
    } else {
      node.put(key, v);
    }
  }

  /** Writes the JSON atomically. */
  public void writeJson(Path out) {
    try {
      AtomicFiles.writeString(out, Json.MAPPER.writeValueAsString(json) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
