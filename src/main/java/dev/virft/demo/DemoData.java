package dev.virft.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.data.Sample;
import dev.virft.data.synthetic.Difficulty;
import dev.virft.data.synthetic.ShapeColor;
import dev.virft.data.synthetic.ShapeKind;
import dev.virft.data.synthetic.SyntheticDataset;
import dev.virft.data.synthetic.SyntheticTask;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's data, all from the synthetic detection task ({@link Difficulty#EASY}: red/green/blue
 * circles, squares and triangles), each split from its own seed so no image is shared:
 *
 * <ul>
 *   <li>the base model's SFT data (seed {@link #BASE_SEED}, never used by the demo itself), with a short
 *       reasoning in {@code <think>} so the base model writes the answer format;
 *   <li>the few-shot split the demo fine-tunes on: {@code shots} rows per category (seed 2·s+1);
 *   <li>the held-out test split it evaluates on (seed 2·s+2), with a COCO annotation file.
 * </ul>
 */
public final class DemoData {
  /** Seed of the base model's training rows; the demo's splits use small seeds, never this one. */
  public static final long BASE_SEED = 1_000_003L;
  /**
   * Seed of the validation split: rows for choosing settings (base model, GRPO and SFT knobs), so the
   * test rows only ever measure.
   */
  public static final long VALIDATION_SEED = 2_000_003L;

  private static final Pattern CATEGORY = Pattern.compile("category '([^']+)'");
  private static final Pattern BOX =
      Pattern.compile("\\[(\\d+), (\\d+), (\\d+), (\\d+)\\]");

  private DemoData() {}

  /** The 9 categories of the easy task, in a fixed order (COCO category ids are 1 + index). */
  public static List<String> categories() {
    List<String> out = new ArrayList<>();
    for (ShapeColor c : Difficulty.EASY.colors) {
      for (ShapeKind k : ShapeKind.values()) out.add(c.label() + " " + k.label());
    }
    return out;
  }

  static SyntheticDataset stream(long seed, int rows) {
    return new SyntheticDataset(
        new SyntheticDataset.Config(
            SyntheticTask.DETECTION, Difficulty.EASY, DemoAssets.IMAGE_SIDE, seed, rows, false));
  }

  /** The first {@code perCategory} detection rows of each category in the stream of {@code seed}. */
  public static List<Sample> perCategory(long seed, int perCategory) {
    List<String> cats = categories();
    Map<String, Integer> counts = new LinkedHashMap<>();
    List<Sample> out = new ArrayList<>();
    SyntheticDataset ds = stream(seed, Integer.MAX_VALUE);
    for (int i = 0; out.size() < cats.size() * perCategory; i++) {
      if (i > 1000 * cats.size() * Math.max(1, perCategory)) {
        throw new IllegalStateException("synthetic stream of seed " + seed + " lacks some category");
      }
      Sample s = ds.row(i);
      String c = category(s);
      if (counts.getOrDefault(c, 0) < perCategory) {
        counts.merge(c, 1, Integer::sum);
        out.add(s);
      }
    }
    return out;
  }

  /** The few-shot training split of a demo run. */
  public static List<Sample> fewShot(long demoSeed, int shots) {
    return perCategory(2 * demoSeed + 1, shots);
  }

  /** The held-out test split of a demo run. */
  public static List<Sample> test(long demoSeed, int perCategory) {
    return perCategory(2 * demoSeed + 2, perCategory);
  }

  /** The validation split: for choosing settings, never the test rows. */
  public static List<Sample> validation(int perCategory) {
    return perCategory(VALIDATION_SEED, perCategory);
  }

  /** The base model's SFT rows: the solution gains a short reasoning before the answer. */
  public static List<Sample> baseTraining(int rows) {
    List<Sample> out = new ArrayList<>(rows);
    SyntheticDataset ds = stream(BASE_SEED, rows);
    for (Sample s : ds) out.add(withReasoning(s));
    return out;
  }

  /** {@code <think> There is one red circle in the image. </think> <answer>…</answer>}. */
  public static Sample withReasoning(Sample s) {
    String cat = category(s);
    int n = boxes(s.solution()).size();
    String think =
        n == 0
            ? "There is no " + cat + " in the image."
            : n == 1 ? "There is one " + cat + " in the image." : "There are " + n + " " + cat + "s in the image.";
    return new Sample(
        s.image(), s.problem(), "<think> " + think + " </think> " + s.solution(), s.columns(), s.source());
  }

  /** The category the detection prompt asks for. */
  public static String category(Sample s) {
    Matcher m = CATEGORY.matcher(s.problem());
    if (!m.find()) {
      throw new VirftException(s.source() + ": field 'problem' has no \"category '...'\": " + s.problem());
    }
    return m.group(1);
  }

  /** The ground-truth boxes (0–1000 ints) of a synthetic solution. */
  public static List<int[]> boxes(String solution) {
    List<int[]> out = new ArrayList<>();
    Matcher m = BOX.matcher(solution);
    while (m.find()) {
      out.add(
          new int[] {
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3)),
            Integer.parseInt(m.group(4))
          });
    }
    return out;
  }

  /**
   * A COCO annotation file for the test rows: image id = row index + 1, one category per demo
   * category, one annotation per true box, in pixels as the original's evaluation converts 0–1000
   * boxes ({@code v · size / 1000}).
   */
  public static void writeCocoGroundTruth(List<Sample> rows, Path file) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode images = root.putArray("images");
    ArrayNode anns = root.putArray("annotations");
    ArrayNode cats = root.putArray("categories");
    List<String> names = categories();
    for (int c = 0; c < names.size(); c++) {
      cats.addObject().put("id", c + 1).put("name", names.get(c)).put("supercategory", "shape");
    }
    long annId = 1;
    for (int i = 0; i < rows.size(); i++) {
      Sample s = rows.get(i);
      int w = s.width(), h = s.height();
      images.addObject().put("id", i + 1).put("width", w).put("height", h).put("file_name", "test_" + i + ".png");
      int cat = names.indexOf(category(s)) + 1;
      for (int[] b : boxes(s.solution())) {
        double[] px = toPixels(b, w, h);
        ObjectNode a = anns.addObject();
        a.put("id", annId++).put("image_id", i + 1).put("category_id", cat);
        a.putArray("bbox").add(px[0]).add(px[1]).add(px[2]).add(px[3]);
        a.put("area", px[2] * px[3]).put("iscrowd", 0);
      }
    }
    try {
      AtomicFiles.writeString(file, Json.MAPPER.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** 0–1000 box → COCO pixel box [x, y, w, h] (spec §3). */
  public static double[] toPixels(int[] b, int width, int height) {
    double x1 = b[0] * width / 1000.0, y1 = b[1] * height / 1000.0;
    double x2 = b[2] * width / 1000.0, y2 = b[3] * height / 1000.0;
    return new double[] {x1, y1, x2 - x1, y2 - y1};
  }
}
