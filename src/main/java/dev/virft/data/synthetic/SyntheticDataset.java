package dev.virft.data.synthetic;

import dev.virft.data.Prompts;
import dev.virft.data.RowSource;
import dev.virft.data.Sample;
import dev.virft.data.SampleImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The synthetic visual task of the built-in demo: images of coloured shapes with rows in the original
 * Visual-RFT formats, so the same rewards and parsers apply unchanged.
 *
 * <ul>
 *   <li>detection: the exact COCO detection prompt for a category such as {@code 'red circle'},
 *       solution {@code <answer>[{'Position': [x1, y1, x2, y2], 'Confidence': 1}, ...]</answer>} with all
 *       shapes of that category in 0–1000 ints (or {@code <answer>No Objects</answer>} for a negative);
 *   <li>classification: one shape, the classification prompt with the sentence {@link
 *       #CLASSIFICATION_SENTENCE}, solution {@code <answer>red circle</answer>};
 *   <li>grounding: LISA's training prompt for an instruction such as "the shape left of the blue square",
 *       solution {@code <answer> (x1,y1),(x2,y2) </answer>}.
 * </ul>
 *
 * Every row also has a {@code task} column ("detection", "classification", "grounding") so a mixed
 * dataset can route each row to its reward. Row {@code i} depends only on (seed, i, settings): the
 * same seed gives the same bytes, and rows are generated lazily (any number, in constant memory).
 */
public final class SyntheticDataset implements Iterable<Sample> {
  public static final String CLASSIFICATION_SENTENCE =
      "This is an image containing a shape. Please identify the color and kind of the shape based on the image.";
  private static final double NEGATIVE_RATE = 0.2;
  private static final String[] RELATIONS = {"left of", "right of", "above", "below"};

  /**
   * @param negatives detection rows for an absent category ("No Objects") in about 1 of 5 rows
   */
  public record Config(SyntheticTask task, Difficulty difficulty, int imageSize, long seed, int rows, boolean negatives) {
    public Config {
      if (rows < 0) throw new IllegalArgumentException("rows must be >= 0");
    }
  }

  private final Config config;
  private final SceneRenderer renderer;

  public SyntheticDataset(Config config) {
    this.config = config;
    this.renderer = new SceneRenderer(config.imageSize(), config.difficulty());
  }

  public Config config() {
    return config;
  }

  @Override
  public Iterator<Sample> iterator() {
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < config.rows();
      }

      @Override
      public Sample next() {
        if (!hasNext()) throw new NoSuchElementException();
        return row(i++);
      }
    };
  }

  /** The task of row {@code i}. */
  public SyntheticTask taskOf(int i) {
    if (config.task() != SyntheticTask.MIXED) return config.task();
    return SyntheticTask.values()[i % 3];
  }

  /** Row {@code i}, a pure function of the config and {@code i}. */
  public Sample row(int i) {
    SplittableRandom rng = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 1);
    RowSource src = new RowSource(Path.of("synthetic(seed=" + config.seed() + ")"), i);
    SyntheticTask task = taskOf(i);
    return switch (task) {
      case DETECTION -> detection(rng, src);
      case CLASSIFICATION -> classification(rng, src);
      case GROUNDING -> grounding(rng, src);
      case MIXED -> throw new IllegalStateException();
    };
  }

  private int shapeCount(SplittableRandom rng, int min) {
    Difficulty d = config.difficulty();
    int lo = Math.max(min, d.minShapes);
    return lo + rng.nextInt(Math.max(lo, d.maxShapes) - lo + 1);
  }

  private Sample sample(Scene scene, String problem, String solution, String task, RowSource src) {
    return new Sample(SampleImage.ofBytes(scene.png(), null, src), problem, solution, Map.of("task", task), src);
  }

  private int[] box1000(Scene scene, Shape s) {
    return Prompts.box1000(s.x1(), s.y1(), s.x2(), s.y2(), scene.width(), scene.height());
  }

  private Sample detection(SplittableRandom rng, RowSource src) {
    Scene scene = renderer.render(renderer.place(rng, shapeCount(rng, 1)));
    String category;
    if (config.negatives() && rng.nextDouble() < NEGATIVE_RATE) {
      category = absentCategory(rng, scene);
    } else {
      category = scene.shapes().get(rng.nextInt(scene.shapes().size())).label();
    }
    List<int[]> boxes = new ArrayList<>();
    scene.shapes().stream()
        .filter(s -> s.label().equals(category))
        .sorted(Comparator.comparingInt(Shape::x1).thenComparingInt(Shape::y1))
        .forEach(s -> boxes.add(box1000(scene, s)));
    return sample(scene, Prompts.detection(category), Prompts.detectionSolution(boxes), "detection", src);
  }

  private String absentCategory(SplittableRandom rng, Scene scene) {
    List<String> absent = new ArrayList<>();
    for (ShapeColor c : config.difficulty().colors) {
      for (ShapeKind k : ShapeKind.values()) {
        String label = c.label() + " " + k.label();
        if (scene.shapes().stream().noneMatch(s -> s.label().equals(label))) absent.add(label);
      }
    }
    return absent.get(rng.nextInt(absent.size()));
  }

  private Sample classification(SplittableRandom rng, RowSource src) {
    Scene scene = renderer.render(renderer.place(rng, 1));
    String label = scene.shapes().get(0).label();
    return sample(scene, Prompts.classification(CLASSIFICATION_SENTENCE), Prompts.classificationSolution(label),
        "classification", src);
  }

  private Sample grounding(SplittableRandom rng, RowSource src) {
    for (int attempt = 0; ; attempt++) {
      Scene scene = renderer.render(renderer.place(rng, shapeCount(rng, 2)));
      if (scene.shapes().size() < 2 && attempt < 50) continue;
      String[] found = refer(rng, scene);
      if (found == null) continue;
      Shape target = scene.shapes().get(Integer.parseInt(found[1]));
      String problem = Prompts.lisaQuestion(Prompts.lisaInstruction(found[0]));
      String solution = Prompts.lisaSolution(Prompts.lisaBox(box1000(scene, target)));
      return sample(scene, problem, solution, "grounding", src);
    }
  }

  /**
   * An unambiguous referring expression: "the shape REL the ANCHOR" where the anchor's label is unique
   * and exactly one shape stands in that relation; else "the LABEL" of a shape with a unique label.
   * Returns {instruction, target index} or null when the scene allows neither.
   */
  private static String[] refer(SplittableRandom rng, Scene scene) {
    List<Shape> shapes = scene.shapes();
    int n = shapes.size();
    int start = rng.nextInt(n * RELATIONS.length);
    for (int k = 0; k < n * RELATIONS.length; k++) {
      int c = (start + k) % (n * RELATIONS.length);
      Shape anchor = shapes.get(c / RELATIONS.length);
      String rel = RELATIONS[c % RELATIONS.length];
      if (!unique(shapes, anchor)) continue;
      int match = -1;
      int matches = 0;
      for (int t = 0; t < n; t++) {
        Shape s = shapes.get(t);
        if (s != anchor && stands(s, rel, anchor)) {
          match = t;
          matches++;
        }
      }
      if (matches == 1) return new String[] {"the shape " + rel + " the " + anchor.label(), String.valueOf(match)};
    }
    for (int t = 0; t < n; t++) {
      if (unique(shapes, shapes.get(t))) return new String[] {"the " + shapes.get(t).label(), String.valueOf(t)};
    }
    return null;
  }

  private static boolean unique(List<Shape> shapes, Shape s) {
    return shapes.stream().filter(o -> o.label().equals(s.label())).count() == 1;
  }

  /** Whether {@code s} is REL {@code anchor}: wholly on that side of it (no overlap on that axis). */
  private static boolean stands(Shape s, String rel, Shape anchor) {
    return switch (rel) {
      case "left of" -> s.x2() <= anchor.x1();
      case "right of" -> s.x1() >= anchor.x2();
      case "above" -> s.y2() <= anchor.y1();
      case "below" -> s.y1() >= anchor.y2();
      default -> false;
    };
  }
}
