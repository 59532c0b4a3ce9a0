package dev.virft.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.data.Prompts;
import dev.virft.data.RowSource;
import dev.virft.data.Sample;
import dev.virft.data.SampleImage;
import dev.virft.data.synthetic.GridScenes;
import dev.virft.data.synthetic.Scene;
import dev.virft.data.synthetic.Shape;
import dev.virft.data.synthetic.ShapeColor;
import dev.virft.data.synthetic.ShapeKind;
import dev.virft.data.synthetic.SyntheticDataset;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's data: synthetic shapes, one per cell of a 4×4 grid ({@link GridScenes}), in the
 * original's detection and classification formats, split the way the paper's few-shot settings are:
 *
 * <ul>
 *   <li>12 categories, 4 colours × 3 kinds. The base model is pre-trained (SFT, {@link #baseTraining})
 *       on single shapes: detection of the one shape in the image, classification of it.
 *   <li>The few-shot target is 4 of the categories ({@link #TARGET_CATEGORIES}) in a setting the base
 *       never saw: detection of every shape of the asked category in scenes of 2–3 of them
 *       ({@link SceneSpec#COUNT}; distractors of other categories are an option), and classification
 *       of shapes drawn smaller than their cell. The
 *       few-shot split ({@code shots} rows per category, seed 2·s+1), the held-out test split (seed
 *       2·s+2) and the validation split ({@link #VALIDATION_SEED}, for choosing settings) all draw from
 *       this target, each from its own seed, so no image is shared.
 * </ul>
 */
public final class DemoData {
  /** The demo's two task families (the paper's detection and fine-grained classification). */
  public enum Kind {
    DETECTION,
    CLASSIFICATION;

    public String label() {
      return this == DETECTION ? "detection" : "classification";
    }
  }

  /** Seed of the base model's training rows; the demo's splits use small seeds, never this one. */
  public static final long BASE_SEED = 1_000_003L;
  /**
   * Seed of the validation split: rows for choosing settings (base model, GRPO and SFT knobs), so the
   * test rows only ever measure.
   */
  public static final long VALIDATION_SEED = 2_000_003L;

  /**
   * Grid cells per image side, one per image token (112 px, 28-px merged patches: 4×4 tokens); each
   * shape fills one cell, so box edges are multiples of 250 in 0–1000 and finding a shape is finding
   * its image token. (Shapes of 2–4 cells of a finer 8×8 grid were not learned in the base's budget:
   * the base answered one box for every image, see docs/benchmarks.md.)
   */
  public static final int GRID_CELLS = 4;
  static final int MIN_CELLS = 1;
  static final int MAX_CELLS = 1;

  static final List<ShapeColor> COLORS =
      List.of(ShapeColor.RED, ShapeColor.GREEN, ShapeColor.BLUE, ShapeColor.YELLOW);

  /** The few-shot target's categories: one colour/kind pair per colour, each kind at least once. */
  public static final List<String> TARGET_CATEGORIES =
      List.of("red triangle", "green square", "blue circle", "yellow triangle");

  /**
   * How much smaller than its cell a classification target's shape is drawn, in pixels per side
   * (the base model saw only shapes filling their cells): the fine-grained part of the target.
   */
  static int classificationInset = 2;

  /**
   * When not null, each classification target row draws its inset uniformly from these (one draw
   * from the row's own random stream, before the scene), instead of {@link #classificationInset}:
   * shapes of several sizes, so the base is right on some and unsure on others. Null (the default)
   * leaves the shipped rows exactly as they were; detection rows never read it.
   */
  static int[] classificationInsets = null;

  /** Sets {@link #classificationInsets}; null or empty restores the shipped single inset. */
  public static void setClassificationInsets(List<Integer> insets) {
    if (insets == null || insets.isEmpty()) {
      classificationInsets = null;
      return;
    }
    int[] a = new int[insets.size()];
    for (int i = 0; i < a.length; i++) {
      int v = insets.get(i);
      if (v < 0 || 2 * v > DemoAssets.IMAGE_SIDE / GRID_CELLS - 4) {
        throw new VirftException("--classification-insets: expected insets in 0.." + (DemoAssets.IMAGE_SIDE / GRID_CELLS - 4) / 2 + ", got " + v);
      }
      a[i] = v;
    }
    classificationInsets = a;
  }

  /**
   * Largest share of another base colour mixed into a classification target shape's colour (0, the
   * default: none, the shipped rows). Above 0 each row draws a share uniformly in [0, this] and one of
   * the other three colours: shades between two colours, labelled by the nearer one (so below 0.5),
   * on which the base is unsure near the middle. Detection rows never read it.
   */
  static double classificationBlend = 0;

  /** Sets {@link #classificationBlend} (0 ≤ b &lt; 0.5). */
  public static void setClassificationBlend(double b) {
    if (!(b >= 0 && b < 0.5)) throw new VirftException("--classification-blend: expected a number in [0, 0.5), got " + b);
    classificationBlend = b;
  }

  /** A classification target row's blended colour (null, drawing nothing, when the blend is off). */
  static java.awt.Color blendedColor(SplittableRandom r, String label) {
    if (classificationBlend <= 0) return null;
    ShapeColor own = item(label).color();
    List<ShapeColor> others = new ArrayList<>(COLORS);
    others.remove(own);
    ShapeColor o = others.get(r.nextInt(others.size()));
    double b = classificationBlend * r.nextDouble();
    // A straight line between two colours can pass nearer a third (blue toward yellow passes green):
    // shrink the share until the shade is still nearest its label's colour.
    java.awt.Color m = mix(own.rgb, o.rgb, b);
    while (!nearest(m, own)) m = mix(own.rgb, o.rgb, b *= 0.8);
    return m;
  }

  private static java.awt.Color mix(java.awt.Color a, java.awt.Color c, double b) {
    return new java.awt.Color(
        (int) Math.round((1 - b) * a.getRed() + b * c.getRed()),
        (int) Math.round((1 - b) * a.getGreen() + b * c.getGreen()),
        (int) Math.round((1 - b) * a.getBlue() + b * c.getBlue()));
  }

  private static boolean nearest(java.awt.Color m, ShapeColor own) {
    for (ShapeColor o : COLORS) if (o != own && dist2(m, o.rgb) <= dist2(m, own.rgb)) return false;
    return true;
  }

  private static int dist2(java.awt.Color a, java.awt.Color b) {
    int dr = a.getRed() - b.getRed(), dg = a.getGreen() - b.getGreen(), db = a.getBlue() - b.getBlue();
    return dr * dr + dg * dg + db * db;
  }

  /** The inset of a classification target row (drawn from {@code r} only when several are set). */
  static int classificationInset(SplittableRandom r) {
    int[] a = classificationInsets;
    if (a == null) return classificationInset;
    return a.length == 1 ? a[0] : a[r.nextInt(a.length)];
  }

  private static final Pattern CATEGORY = Pattern.compile("category '([^']+)'");
  private static final Pattern BOX = Pattern.compile("\\[(\\d+), (\\d+), (\\d+), (\\d+)\\]");
  private static final Pattern ANSWER = Pattern.compile("<answer>(.*?)</answer>");

  private DemoData() {}

  /** All 12 categories in a fixed order (COCO category ids are 1 + index). */
  public static List<String> categories() {
    List<String> out = new ArrayList<>();
    for (ShapeColor c : COLORS) {
      for (ShapeKind k : ShapeKind.values()) out.add(c.label() + " " + k.label());
    }
    return out;
  }

  static GridScenes scenes() {
    return new GridScenes(DemoAssets.IMAGE_SIDE, GRID_CELLS, MIN_CELLS, MAX_CELLS, 0);
  }

  static GridScenes.Item item(String category) {
    String[] p = category.split(" ");
    return new GridScenes.Item(ShapeColor.valueOf(p[0].toUpperCase(java.util.Locale.ROOT)),
        ShapeKind.valueOf(p[1].toUpperCase(java.util.Locale.ROOT)));
  }

  private static SplittableRandom rng(long seed, Kind kind, int i) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 31L * (kind.ordinal() + 1));
  }

  private static RowSource source(long seed, Kind kind, int i) {
    return new RowSource(Path.of("demo-" + kind.label() + "(seed=" + seed + ")"), i);
  }

  /**
   * A detection row asking for {@code target} in a scene of it and {@code distractors} other shapes
   * (drawn from {@code pool}, never the target's category).
   */
  static Sample detection(SplittableRandom rng, RowSource src, String target, int distractors, List<String> pool) {
    return detection(rng, src, target, 1, distractors, pool);
  }

  static Sample detection(SplittableRandom rng, RowSource src, String target, int instances, int distractors, List<String> pool) {
    List<GridScenes.Item> items = new ArrayList<>();
    for (int k = 0; k < instances; k++) items.add(item(target));
    for (int d = 0; d < distractors; d++) {
      String c;
      do {
        c = pool.get(rng.nextInt(pool.size()));
      } while (c.equals(target) && pool.size() > 1 && !allowRepeat(rng));
      items.add(item(c));
    }
    java.util.Collections.shuffle(items, new java.util.Random(rng.nextLong()));
    Scene scene = scenes().scene(rng, items);
    List<int[]> boxes = new ArrayList<>();
    scene.shapes().stream()
        .filter(s -> s.label().equals(target))
        .sorted(Comparator.comparingInt(Shape::x1).thenComparingInt(Shape::y1))
        .forEach(s -> boxes.add(Prompts.box1000(s.x1(), s.y1(), s.x2(), s.y2(), scene.width(), scene.height())));
    return new Sample(SampleImage.ofBytes(scene.png(), null, src), Prompts.detection(target),
        Prompts.detectionSolution(boxes), Map.of("task", "detection"), src);
  }

  /** A second shape of the target's own category, in about one scene of ten. */
  private static boolean allowRepeat(SplittableRandom rng) {
    return rng.nextInt(10) == 0;
  }

  static Sample classification(SplittableRandom rng, RowSource src, String label, int inset) {
    return classification(rng, src, label, inset, null);
  }

  /** As above, the shape painted in {@code color} (null: its label's colour). */
  static Sample classification(SplittableRandom rng, RowSource src, String label, int inset, java.awt.Color color) {
    Scene scene = scenes().scene(rng, List.of(item(label)), inset, inset, color == null ? null : List.of(color));
    return new Sample(SampleImage.ofBytes(scene.png(), null, src),
        Prompts.classification(SyntheticDataset.CLASSIFICATION_SENTENCE), Prompts.classificationSolution(label),
        Map.of("task", "classification"), src);
  }

  /** Row {@code i} of the few-shot target's stream of {@code seed}: category {@code i mod 4}. */
  static Sample target(Kind kind, long seed, int i) {
    return target(kind, seed, i, TARGET_CATEGORIES);
  }

  /**
   * Row {@code i} of the target setting's stream of {@code seed} over {@code cats}: category {@code
   * i mod cats.size()} (crowds for detection, smaller shapes for classification).
   */
  static Sample target(Kind kind, long seed, int i, List<String> cats) {
    SplittableRandom r = rng(seed, kind, i);
    String cat = cats.get(i % cats.size());
    RowSource src = source(seed, kind, i);
    if (kind == Kind.CLASSIFICATION) return classification(r, src, cat, classificationInset(r), blendedColor(r, cat));
    return scene(r, src, cat, targetScene, categories());
  }

  /**
   * What a detection scene holds: how many shapes of the asked category, how many distractors, and
   * whether a distractor may share the asked shape's colour (false: all differ in colour, so reading
   * the colour alone finds the asked shapes).
   */
  public record SceneSpec(int minInstances, int maxInstances, int minDistractors, int maxDistractors, boolean sameColourDistractors) {
    /**
     * The asked shape among 1–2 distractors of any other category: the demo's target until round 5,
     * the curriculum stage's scenes, and this class's default target.
     */
    public static final SceneSpec ONE_AMONG_DISTRACTORS = new SceneSpec(1, 1, 1, 2, true);

    /**
     * The demo's target since round 6: 2–3 shapes of the asked category and nothing else, so every
     * group has reward spread (the base's later boxes are sometimes right) and the task is the
     * paper's "detect all objects of the category" (docs/benchmarks.md, Demo).
     */
    public static final SceneSpec COUNT = new SceneSpec(2, 3, 0, 0, true);

    public SceneSpec {
      if (minInstances < 1 || maxInstances < minInstances || minDistractors < 0 || maxDistractors < minDistractors
          || maxInstances + maxDistractors > 8) {
        throw new VirftException("scene: expected instances >= 1, distractors >= 0, each range low-high, at most 8 shapes; got instances "
            + minInstances + "-" + maxInstances + ", distractors " + minDistractors + "-" + maxDistractors);
      }
    }

    /** Ranges {@code "a-b"} or {@code "a"}, as the options give them; {@code option} prefixes the errors. */
    public static SceneSpec parse(String instances, String distractors, String colours, String option) {
      int[] in = range(instances, option + "-instances");
      int[] di = range(distractors, option + "-distractors");
      boolean same =
          switch (colours) {
            case "any" -> true;
            case "other" -> false;
            default -> throw new VirftException(option + "-distractor-colours: expected any or other, got '" + colours + "'");
          };
      return new SceneSpec(in[0], in[1], di[0], di[1], same);
    }

    private static int[] range(String v, String option) {
      Matcher m = Pattern.compile("(\\d)(?:-(\\d))?").matcher(v.strip());
      if (!m.matches()) throw new VirftException(option + ": expected N or N-M (one digit each), got '" + v + "'");
      int a = Integer.parseInt(m.group(1));
      return new int[] {a, m.group(2) == null ? a : Integer.parseInt(m.group(2))};
    }
  }

  /**
   * Completion tokens a detection answer of the target scene needs. The demo tokenizer spells the
   * reasoning and the answer tags in at most 12 tokens and a box in 27–32 (more when its numbers
   * are 1000s), 36 with a two-digit confidence: 48 for the shipped one-box target (as ever), 14 +
   * 36 per box for several (the old 22 + 26 per box cut three-box answers near the right edge).
   */
  public static int detectionMaxTokens() {
    return detectionMaxTokens(targetScene);
  }

  /** As {@link #detectionMaxTokens()}, for the answers of {@code spec}'s scenes. */
  public static int detectionMaxTokens(SceneSpec spec) {
    int n = spec.maxInstances();
    return n <= 1 ? 48 : 14 + 36 * n;
  }

  /** The few-shot target's detection scenes (the few-shot, validation and test splits). */
  static SceneSpec targetScene = SceneSpec.ONE_AMONG_DISTRACTORS;

  public static void setTargetScene(SceneSpec spec) {
    targetScene = spec;
  }

  /** The target scene the splits draw now. */
  public static SceneSpec targetScene() {
    return targetScene;
  }

  /**
   * Fewest distractors in a target scene (0, 1 or 2; at most 2): 1 is the shipped target; 0 mixes in
   * single shapes, which the base already finds.
   */
  public static void setMinDistractors(int n) {
    if (n < 0 || n > 2) throw new VirftException("--min-distractors: expected 0, 1 or 2, got " + n);
    targetScene = new SceneSpec(targetScene.minInstances(), targetScene.maxInstances(), n, 2, targetScene.sameColourDistractors());
  }

  /**
   * A detection row of {@code spec}'s scene asking for {@code cat}, its distractors drawn from
   * {@code pool} (never {@code cat}; never its colour unless the spec allows). The distractor count is
   * drawn first and the instance count only when it is a range, so the shipped spec's rows are the
   * rows the demo always drew.
   */
  static Sample scene(SplittableRandom r, RowSource src, String cat, SceneSpec spec, List<String> pool) {
    int distractors = spec.minDistractors() + r.nextInt(spec.maxDistractors() - spec.minDistractors() + 1);
    int instances =
        spec.maxInstances() == spec.minInstances()
            ? spec.minInstances()
            : spec.minInstances() + r.nextInt(spec.maxInstances() - spec.minInstances() + 1);
    String colour = cat.split(" ")[0] + " ";
    List<String> others = new ArrayList<>();
    for (String c : pool) if (!c.equals(cat) && (spec.sameColourDistractors() || !c.startsWith(colour))) others.add(c);
    return detection(r, src, cat, instances, distractors, others);
  }

  /** The first {@code perCategory} rows of each target category in the target stream of {@code seed}. */
  public static List<Sample> perCategory(Kind kind, long seed, int perCategory) {
    return perCategory(kind, seed, perCategory, TARGET_CATEGORIES);
  }

  /** The first {@code perCategory} rows of each of {@code cats} in the target stream of {@code seed}. */
  static List<Sample> perCategory(Kind kind, long seed, int perCategory, List<String> cats) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < perCategory * cats.size(); i++) out.add(target(kind, seed, i, cats));
    return out;
  }

  /** The few-shot training split of a demo run. */
  public static List<Sample> fewShot(Kind kind, long demoSeed, int shots) {
    return perCategory(kind, 2 * demoSeed + 1, shots, fewShotCategories(kind));
  }

  /**
   * Tasks whose few-shot rows cover all 12 categories (the paper's few-shot classification: every
   * test category has its shots) instead of the 4 target ones.
   */
  static final java.util.EnumSet<Kind> fewShotAllCategories = java.util.EnumSet.noneOf(Kind.class);

  /** The categories a task's few-shot rows show. */
  public static List<String> fewShotCategories(Kind kind) {
    return fewShotAllCategories.contains(kind) ? categories() : TARGET_CATEGORIES;
  }

  /** Sets which tasks' few-shot rows cover all categories. */
  public static void setFewShotAllCategories(java.util.Collection<Kind> kinds) {
    fewShotAllCategories.clear();
    fewShotAllCategories.addAll(kinds);
  }

  /**
   * The held-out test split of a demo run. A small world repeats images (one shape on a 4×4 grid), so
   * rows whose image is identical to one of the run's few-shot images are skipped: the test never
   * shows a trained-on image.
   */
  public static List<Sample> test(Kind kind, long demoSeed, int perCategory) {
    return test(kind, demoSeed, perCategory, TARGET_CATEGORIES);
  }

  /**
   * As {@link #test(Kind, long, int)} over {@code cats}: with {@link #categories()}, the target setting
   * for every category, the 8 the few-shot rows never show as well as the 4 they do (does what the
   * fine-tuning taught carry beyond the exact few-shot categories?).
   */
  public static List<Sample> test(Kind kind, long demoSeed, int perCategory, List<String> cats) {
    java.util.Set<String> trained = new java.util.HashSet<>();
    for (Sample s : fewShot(kind, demoSeed, MAX_SHOTS)) trained.add(imageKey(s));
    long seed = 2 * demoSeed + 2;
    int n = cats.size();
    List<Sample> out = new ArrayList<>();
    int[] have = new int[n];
    for (int i = 0; out.size() < perCategory * n; i++) {
      if (i > 1000 * perCategory * n) throw new IllegalStateException("cannot draw " + perCategory + " unseen test rows");
      Sample s = target(kind, seed, i, cats);
      if (have[i % n] < perCategory && !trained.contains(imageKey(s))) {
        have[i % n]++;
        out.add(s);
      }
    }
    return out;
  }

  /** The test split skips the images of this many few-shot rows per category (any --shots up to it). */
  static final int MAX_SHOTS = 32;

  private static String imageKey(Sample s) {
    return new String(s.image().bytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** Detection rows of the held-out test split (as {@link #test(Kind, long, int)}). */
  public static List<Sample> test(long demoSeed, int perCategory) {
    return test(Kind.DETECTION, demoSeed, perCategory);
  }

  /** The validation split: for choosing settings, never the test rows. */
  public static List<Sample> validation(Kind kind, int perCategory) {
    return perCategory(kind, VALIDATION_SEED, perCategory);
  }

  /** The validation split over {@code cats} (as the test split over them). */
  public static List<Sample> validation(Kind kind, int perCategory, List<String> cats) {
    return perCategory(kind, VALIDATION_SEED, perCategory, cats);
  }

  /**
   * The base model's SFT rows, base categories only, with a short reasoning before the answer:
   * detection (1–3 shapes, the asked category present) and classification rows alternate.
   */
  public static List<Sample> baseTraining(int rows) {
    return baseTraining(rows, 0.5);
  }

  /**
   * As {@link #baseTraining(int)} with a share {@code classificationShare} (0–1) of classification
   * rows, spread evenly over the stream (0.5: they alternate, the shipped base's rows).
   */
  public static List<Sample> baseTraining(int rows, double classificationShare) {
    return baseRows(BASE_SEED, rows, classificationShare);
  }

  /**
   * Rows of the pre-training distribution from the validation seed: to check the base model on its
   * own task (never trained on), apart from the few-shot target.
   */
  public static List<Sample> baseValidation(int rows) {
    return baseRows(VALIDATION_SEED + 17, rows, 0.5);
  }

  /** Seed of the curriculum's (second pre-training stage's) rows; never a demo split's seed. */
  public static final long CURRICULUM_SEED = 3_000_017L;

  /** The 8 categories that are never a few-shot target, in {@link #categories()} order. */
  public static List<String> baseCategories() {
    List<String> out = new ArrayList<>(categories());
    out.removeAll(TARGET_CATEGORIES);
    return out;
  }

  /**
   * The base model's second pre-training stage (a curriculum after {@link #baseTraining}): half the
   * rows are detection of an asked <em>base</em> category among 1–2 distractors of other base
   * categories, so the model learns to read the asked category; the other half replay the first
   * stage (single shapes of all 12 categories, detection and classification alternating) so it keeps
   * what it knew. The 4 target categories are never asked for among distractors, nor drawn as one:
   * finding them in a crowd is the few-shot target's novel part (the paper's open-vocabulary setting
   * in miniature: detection trained on base categories, tested on novel ones).
   */
  public static List<Sample> curriculumTraining(int rows) {
    return curriculumRows(CURRICULUM_SEED, rows);
  }

  /** Seed of the classification-heavy stage's rows; never a demo split's seed. */
  public static final long CLASSIFICATION_STAGE_SEED = 3_000_031L;

  /**
   * A classification-heavy stage after {@link #baseTraining}: the pre-training distribution (single
   * shapes, all 12 categories) with {@code classificationShare} of the rows classification, from its
   * own seed: for a base that learned position but not yet the shape kind.
   */
  public static List<Sample> classificationStage(int rows, double classificationShare) {
    return baseRows(CLASSIFICATION_STAGE_SEED, rows, classificationShare);
  }

  /** Seed of the random confidences of {@link #withRandomConfidences}; never a demo split's seed. */
  public static final long CONFIDENCE_SEED = 3_000_043L;

  private static final Pattern ONE_CONFIDENCE = Pattern.compile("'Confidence': 1\\}");

  /**
   * The rows with every detection box's {@code 'Confidence': 1} replaced by one of 0.1, 0.2, …, 0.9
   * drawn at random, independent of the image and of the box: a base that has learned to write a
   * confidence but not what it means, as a pre-trained VLM asked for one it was never taught to
   * calibrate. COCO AP ranks each category's boxes across images by that number, and the original's
   * {@code accuracy_confidence} reward is what teaches it to track correctness; the few-shot rows
   * keep the original's {@code 'Confidence': 1}, so SFT only learns to write 1 everywhere.
   */
  public static List<Sample> withRandomConfidences(List<Sample> rows, long seed) {
    List<Sample> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Sample s = rows.get(i);
      if (isClassification(s)) {
        out.add(s);
        continue;
      }
      SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
      Matcher m = ONE_CONFIDENCE.matcher(s.solution());
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        // One digit after "0.": a "1.0" among them was misread as "0.1" + ".0" by the tiny tokenizer's model.
        m.appendReplacement(sb, "'Confidence': 0." + (1 + r.nextInt(9)) + "}");
      }
      m.appendTail(sb);
      out.add(new Sample(s.image(), s.problem(), sb.toString(), s.columns(), s.source()));
    }
    return out;
  }

  /** Rows of the curriculum's distribution from a held-out seed (to check the base on it). */
  public static List<Sample> curriculumValidation(int rows) {
    return curriculumRows(VALIDATION_SEED + 29, rows);
  }

  /** The curriculum's detection-among-distractors rows only, from the held-out seed. */
  public static List<Sample> curriculumCrowdValidation(int rows) {
    return sceneRowsOnly(VALIDATION_SEED + 29, rows, SceneSpec.ONE_AMONG_DISTRACTORS);
  }

  public static final long SCENE_STAGE_SEED = 3_000_061L;

  /**
   * A make-base stage of {@code spec}'s scenes of the base categories only (so the target's
   * categories in such scenes stay new), two rows in four, with single shapes of every category
   * replayed: one row in four detection, one classification.
   */
  public static List<Sample> sceneStage(int rows, SceneSpec spec) {
    return sceneRows(SCENE_STAGE_SEED, rows, spec);
  }

  /** {@link #sceneStage}'s distribution from a held-out seed, its scene rows only. */
  public static List<Sample> sceneStageValidation(int rows, SceneSpec spec) {
    return sceneRowsOnly(VALIDATION_SEED + 41, rows, spec);
  }

  /** The first {@code rows} scene rows (two in four) of {@link #sceneRows}' stream. */
  private static List<Sample> sceneRowsOnly(long seed, int rows, SceneSpec spec) {
    List<Sample> all = sceneRows(seed, 2 * rows, spec);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < all.size() && out.size() < rows; i++) if (i % 4 < 2) out.add(all.get(i));
    return out;
  }

  private static List<Sample> sceneRows(long seed, int rows, SceneSpec spec) {
    List<Sample> out = new ArrayList<>(rows);
    List<String> all = categories();
    List<String> base = baseCategories();
    for (int i = 0; i < rows; i++) {
      int slot = i % 4;
      Kind kind = slot == 3 ? Kind.CLASSIFICATION : Kind.DETECTION;
      SplittableRandom r = rng(seed, kind, i);
      RowSource src = source(seed, kind, i);
      Sample s;
      if (slot < 2) {
        s = scene(r, src, base.get(r.nextInt(base.size())), spec, base);
      } else {
        String cat = all.get(r.nextInt(all.size()));
        s = slot == 3 ? classification(r, src, cat, 0) : detection(r, src, cat, 0, all);
      }
      out.add(withReasoning(s));
    }
    return out;
  }

  private static List<Sample> curriculumRows(long seed, int rows) {
    // The curriculum is the scene stage of the shipped target's scenes (one shape among 1–2 distractors).
    return sceneRows(seed, rows, SceneSpec.ONE_AMONG_DISTRACTORS);
  }

  private static List<Sample> baseRows(long seed, int rows, double classificationShare) {
    if (!(classificationShare >= 0 && classificationShare <= 1)) {
      throw new VirftException("--classification-share: expected a number in 0..1, got " + classificationShare);
    }
    List<Sample> out = new ArrayList<>(rows);
    List<String> all = categories();
    for (int i = 0; i < rows; i++) {
      // Row i is classification when the running count of classification rows steps up at it.
      boolean cls = Math.floor((i + 1) * classificationShare) > Math.floor(i * classificationShare);
      Kind kind = cls ? Kind.CLASSIFICATION : Kind.DETECTION;
      SplittableRandom r = rng(seed, kind, i);
      RowSource src = source(seed, kind, i);
      String cat = all.get(r.nextInt(all.size()));
      Sample s =
          kind == Kind.CLASSIFICATION ? classification(r, src, cat, 0) : detection(r, src, cat, 0, all);
      out.add(withReasoning(s));
    }
    return out;
  }

  /**
   * The row with a short reasoning before the answer: {@code <think> one red circle </think>
   * <answer>…</answer>} (detection) or {@code <think> The shape is a red circle.
   * </think> <answer>red circle</answer>} (classification).
   */
  public static Sample withReasoning(Sample s) {
    String think;
    if (isClassification(s)) {
      think = "The shape is a " + className(s.solution()) + ".";
    } else {
      String cat = category(s);
      int n = boxes(s.solution()).size();
      // Short: every completion token is a forward pass of the demo's sampling.
      think = n == 0 ? "no " + cat : n == 1 ? "one " + cat : n + " " + cat + "s";
    }
    return new Sample(
        s.image(), s.problem(), "<think> " + think + " </think> " + s.solution(), s.columns(), s.source());
  }

  public static boolean isClassificationRow(Sample s) {
    return isClassification(s);
  }

  static boolean isClassification(Sample s) {
    return "classification".equals(s.columns().get("task"));
  }

  /** The class name inside a classification solution's {@code <answer>} tags. */
  public static String className(String solution) {
    Matcher m = ANSWER.matcher(solution);
    return m.find() ? m.group(1).strip() : solution.strip();
  }

  /** The category a row is about: the detection prompt's category, or the classification label. */
  public static String category(Sample s) {
    if (isClassification(s)) return className(s.solution());
    Matcher m = CATEGORY.matcher(s.problem());
    if (!m.find()) {
      throw new VirftException(s.source() + ": field 'problem' has no \"category '...'\": " + s.problem());
    }
    return m.group(1);
  }

  /** The ground-truth boxes (0–1000 ints) of a detection solution. */
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
   * A COCO annotation file for detection rows: image id = row index + 1, category id = 1 + index in
   * {@link #categories()} (all 12 listed; COCOeval's mean skips categories with neither a true box nor
   * an answer, so mAP averages over the asked ones), one annotation per true box, in pixels as the original's evaluation converts 0–1000 boxes
   * ({@code v · size / 1000}).
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
