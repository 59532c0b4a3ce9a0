package dev.virft.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.data.Sample;
import dev.virft.data.synthetic.ShapeColor;
import dev.virft.eval.DetectionDataset;
import dev.virft.eval.DetectionJson;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoDataTest {
  private static Set<String> imageHashes(List<Sample> rows) {
    Set<String> out = new HashSet<>();
    for (Sample s : rows) out.add(Arrays.hashCode(s.image().bytes()) + ":" + s.image().bytes().length);
    return out;
  }

  private static void assertDisjoint(List<Sample> a, List<Sample> b, String what) {
    Set<String> x = imageHashes(a);
    x.retainAll(imageHashes(b));
    assertTrue(x.isEmpty(), what + " share images");
  }

  @Test
  void baseDataIsSingleShapesOfEveryCategory() {
    assertEquals(12, DemoData.categories().size());
    Set<String> seen = new HashSet<>();
    for (Sample s : DemoData.baseTraining(200)) {
      seen.add(DemoData.category(s));
      if (!DemoData.isClassificationRow(s)) assertEquals(1, DemoData.boxes(s.solution()).size(), s.solution());
    }
    assertEquals(Set.copyOf(DemoData.categories()), seen);
  }

  @Test
  void classificationTargetShapesAreDrawnSmallerThanTheBaseModelsOnes() {
    int baseMax = 0, targetMax = 0;
    for (Sample s : DemoData.baseTraining(40)) if (DemoData.isClassificationRow(s)) baseMax = Math.max(baseMax, shapePixels(s));
    for (Sample s : DemoData.test(DemoData.Kind.CLASSIFICATION, 1, 4)) targetMax = Math.max(targetMax, shapePixels(s));
    assertEquals(28 * 28, baseMax, "a base square fills its 28-px cell");
    assertTrue(targetMax <= 24 * 24, "target shapes are drawn 2 px smaller than their cell: " + targetMax);
  }

  private static int shapePixels(Sample s) {
    BufferedImage img = s.image().decode();
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) if (new Color(img.getRGB(x, y)).getBlue() != 235) n++;
    }
    return n;
  }

  @Test
  void splitsHaveShotsPerTargetCategoryAndShareNoImage() {
    for (DemoData.Kind kind : DemoData.Kind.values()) {
      List<Sample> train = DemoData.fewShot(kind, 1, 4);
      List<Sample> test = DemoData.test(kind, 1, 3);
      assertEquals(4 * 4, train.size());
      assertEquals(4 * 3, test.size());
      Map<String, Long> perCat =
          train.stream().collect(Collectors.groupingBy(DemoData::category, Collectors.counting()));
      assertEquals(Set.copyOf(DemoData.TARGET_CATEGORIES), perCat.keySet());
      perCat.values().forEach(n -> assertEquals(4L, n));
      List<Sample> validation = DemoData.validation(kind, 3);
      List<Sample> base = DemoData.baseTraining(100);
      assertDisjoint(train, test, kind + " train and test");
      assertDisjoint(base, test, kind + " base data and test");
      assertDisjoint(validation, base, kind + " validation and base data");
      assertDisjoint(DemoData.fewShot(kind, 1, 32), test, kind + " any few-shot split of the seed and test");
      assertEquals(imageHashes(train), imageHashes(DemoData.fewShot(kind, 1, 4)), "deterministic");
      assertFalse(imageHashes(train).equals(imageHashes(DemoData.fewShot(kind, 2, 4))));
    }
  }

  @Test
  void detectionBoxesSitOnTheGridAndOnShapesOfTheAskedColourAmongDistractors() {
    int distractorScenes = 0;
    for (Sample s : DemoData.test(DemoData.Kind.DETECTION, 4, 6)) {
      List<int[]> boxes = DemoData.boxes(s.solution());
      assertFalse(boxes.isEmpty(), s.solution());
      BufferedImage img = s.image().decode();
      ShapeColor color = ShapeColor.valueOf(DemoData.category(s).split(" ")[0].toUpperCase());
      for (int[] b : boxes) {
        for (int v : b) assertEquals(0, v % 250, "grid coordinate " + v);
        // the box's centre pixel row holds the asked colour (within the position tint)
        int cy = (b[1] + b[3]) / 2 * 112 / 1000;
        boolean found = false;
        for (int x = b[0] * 112 / 1000; x < b[2] * 112 / 1000; x++) found |= near(new Color(img.getRGB(x, cy)), dev.virft.data.synthetic.GridScenes.baseColor(color));
        assertTrue(found, "asked colour inside " + Arrays.toString(b));
      }
      // a distractor: some shape pixel outside every true box
      boolean outside = false;
      for (int y = 0; y < 112 && !outside; y++) {
        for (int x = 0; x < 112 && !outside; x++) {
          Color c = new Color(img.getRGB(x, y));
          if (c.getBlue() == 235) continue; // background
          int fx = x * 1000 / 112, fy = y * 1000 / 112;
          outside = boxes.stream().noneMatch(b -> fx >= b[0] && fx < b[2] && fy >= b[1] && fy < b[3]);
        }
      }
      if (outside) distractorScenes++;
    }
    assertTrue(distractorScenes >= 20, "most target scenes have a distractor: " + distractorScenes + "/24");
  }

  /** Grid cells (28 px) holding any shape pixel (the background's blue channel is 235). */
  private static int occupiedCells(Sample s) {
    BufferedImage img = s.image().decode();
    Set<Integer> cells = new HashSet<>();
    for (int y = 0; y < 112; y++) {
      for (int x = 0; x < 112; x++) if (new Color(img.getRGB(x, y)).getBlue() != 235) cells.add(y / 28 * 4 + x / 28);
    }
    return cells.size();
  }

  /** Cells holding a pixel whose blue channel is above {@code blue} (blue shapes; the background is 235). */
  private static int cellsWithBlueAbove(Sample s, int blue) {
    BufferedImage img = s.image().decode();
    Set<Integer> cells = new HashSet<>();
    for (int y = 0; y < 112; y++) {
      for (int x = 0; x < 112; x++) {
        int b = new Color(img.getRGB(x, y)).getBlue();
        if (b != 235 && b > blue) cells.add(y / 28 * 4 + x / 28);
      }
    }
    return cells.size();
  }

  private static boolean near(Color a, Color b) {
    return Math.abs(a.getRed() - b.getRed()) <= 48 && Math.abs(a.getGreen() - b.getGreen()) <= 48 && a.getBlue() == b.getBlue();
  }

  @Test
  void reasoningPrefixKeepsTheAnswerTheRewardsRead() {
    Sample d = DemoData.withReasoning(DemoData.fewShot(DemoData.Kind.DETECTION, 1, 1).get(0));
    assertTrue(d.solution().startsWith("<think> one red triangle </think> <answer>[{'Position': ["), d.solution());
    assertTrue(dev.virft.reward.FormatReward.matches(d.solution()), d.solution());
    assertEquals(1.0, new dev.virft.reward.DetectionIouReward().score(d.solution(), d.solution(), Map.of()), 1e-12);
    Sample c = DemoData.withReasoning(DemoData.fewShot(DemoData.Kind.CLASSIFICATION, 1, 1).get(0));
    assertEquals("<think> The shape is a red triangle. </think> <answer>red triangle</answer>", c.solution());
    assertEquals(1.0, new dev.virft.reward.ClassificationAccuracyReward().score(c.solution(), c.solution(), Map.of()));
    for (Sample s : DemoData.baseTraining(10)) assertTrue(dev.virft.reward.FormatReward.matches(s.solution()), s.solution());
  }

  @Test
  void groundTruthFileIsReadByCocoAndScoresItsOwnBoxesPerfectly(@TempDir Path dir) {
    List<Sample> test = DemoData.test(DemoData.Kind.DETECTION, 3, 2);
    Path gt = dir.resolve("gt.json");
    DemoData.writeCocoGroundTruth(test, gt);
    DetectionDataset ds = DetectionJson.readGroundTruth(gt, DetectionJson.Format.COCO);
    assertEquals(test.size(), ds.images().size());
    assertEquals(12, ds.categories().size());
    int boxes = test.stream().mapToInt(s -> DemoData.boxes(s.solution()).size()).sum();
    assertEquals(boxes, ds.annotations().size());
    List<String> answers = new ArrayList<>();
    for (Sample s : test) answers.add(DemoData.withReasoning(s).solution());
    DemoMetrics m = DemoEvaluator.score("oracle", test, answers, gt).metrics();
    assertEquals(1.0, m.map(), 1e-9);
    assertEquals(1.0, m.meanIouReward(), 1e-9);
    assertEquals(1.0, m.formatRate(), 1e-9);
    List<String> empty = new ArrayList<>();
    for (int i = 0; i < test.size(); i++) empty.add("<think> x </think> <answer>No Objects</answer>");
    DemoMetrics z = DemoEvaluator.score("none", test, empty, gt).metrics();
    assertEquals(0.0, z.map(), 1e-12);
    assertEquals(0.0, z.meanIouReward(), 1e-12);
    assertEquals(1.0, z.formatRate(), 1e-12);
  }

  @Test
  void classificationAccuracyIsTheOriginalsRewardOverTheRows() {
    List<Sample> test = DemoData.test(DemoData.Kind.CLASSIFICATION, 3, 2);
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < test.size(); i++) {
      String label = DemoData.category(test.get(i));
      answers.add(i % 2 == 0 ? "<think> x </think> <answer>" + label + "</answer>" : "<answer>purple star</answer>");
    }
    DemoMetrics m = DemoEvaluator.scoreClassification("x", test, answers).metrics();
    assertEquals(0.5, m.accuracy(), 1e-12);
    assertEquals(0.5, m.formatRate(), 1e-12);
  }

  @Test
  void curriculumAsksOnlyForBaseCategoriesAmongBaseDistractorsAndReplaysSingleShapes() {
    List<Sample> rows = DemoData.curriculumTraining(96);
    Set<String> base = Set.copyOf(DemoData.baseCategories());
    assertEquals(8, base.size());
    assertTrue(base.stream().noneMatch(DemoData.TARGET_CATEGORIES::contains));
    int crowds = 0, singles = 0, classification = 0;
    for (int i = 0; i < rows.size(); i++) {
      Sample s = rows.get(i);
      assertTrue(dev.virft.reward.FormatReward.matches(s.solution()), s.solution());
      if (DemoData.isClassificationRow(s)) {
        classification++;
        continue;
      }
      int shapes = shapeCells(s.image().decode());
      if (shapes == 1) {
        singles++;
        continue;
      }
      crowds++;
      assertTrue(base.contains(DemoData.category(s)), "asked for a base category: " + DemoData.category(s));
      assertTrue(shapes >= 2 && shapes <= 3, "target and 1-2 distractors: " + shapes);
    }
    assertEquals(48, crowds, "half the rows are crowds");
    assertEquals(24, singles);
    assertEquals(24, classification);
    assertDisjoint(DemoData.curriculumTraining(200), DemoData.test(DemoData.Kind.DETECTION, 1, 4, DemoData.categories()),
        "curriculum and the all-category test split");
  }

  /** Grid cells holding a non-background pixel. */
  private static int shapeCells(BufferedImage img) {
    Set<Integer> cells = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) if (new Color(img.getRGB(x, y)).getBlue() != 235) cells.add(y / 28 * 4 + x / 28);
    }
    return cells.size();
  }

  @Test
  void allCategoryTestSplitCoversEveryCategoryAndSkipsFewShotImages() {
    for (DemoData.Kind kind : DemoData.Kind.values()) {
      List<Sample> test = DemoData.test(kind, 2, 3, DemoData.categories());
      assertEquals(36, test.size());
      Map<String, Long> perCat = test.stream().collect(Collectors.groupingBy(DemoData::category, Collectors.counting()));
      assertEquals(Set.copyOf(DemoData.categories()), perCat.keySet());
      perCat.values().forEach(n -> assertEquals(3L, n));
      assertDisjoint(DemoData.fewShot(kind, 2, 32), test, kind + " few-shot and all-category test");
      assertEquals(
          imageHashes(DemoData.test(kind, 2, 3)),
          imageHashes(DemoData.test(kind, 2, 3, DemoData.TARGET_CATEGORIES)),
          "the target-only split is the same rows as before");
    }
  }

  @Test
  void classificationShareKeepsTheShippedRowsAtOneHalfAndSetsTheMix() {
    List<Sample> shipped = DemoData.baseTraining(40);
    List<Sample> half = DemoData.baseTraining(40, 0.5);
    for (int i = 0; i < 40; i++) {
      assertEquals(shipped.get(i).solution(), half.get(i).solution());
      assertEquals(i % 2 == 1, DemoData.isClassificationRow(half.get(i)), "row " + i);
    }
    long cls = DemoData.baseTraining(40, 0.75).stream().filter(DemoData::isClassificationRow).count();
    assertEquals(30, cls);
    assertEquals(0, DemoData.baseTraining(8, 0.0).stream().filter(DemoData::isClassificationRow).count());
  }

  @Test
  void probeCountsRowAndColumnHitsOfTheFirstBox() {
    List<Sample> rows = DemoData.test(DemoData.Kind.DETECTION, 4, 1);
    List<String> answers = new ArrayList<>();
    for (Sample s : rows) {
      int[] b = DemoData.boxes(s.solution()).get(0);
      // right row, column shifted by one cell (wrapping inside the grid)
      int x1 = (b[0] + 250) % 1000;
      answers.add("<answer>[{'Position': [" + x1 + ", " + b[1] + ", " + (x1 + 250) + ", " + b[3] + "], 'Confidence': 0.9}]</answer>");
    }
    DemoProbe.Position p = DemoProbe.position(rows, answers);
    assertEquals(rows.size(), p.rowRight());
    assertEquals(0, p.columnRight());
    assertEquals(rows.size(), p.answered());
  }

  @Test
  void randomConfidencesReplaceEveryOneByATenthBelowOneAndLeaveTheRestAlone() {
    List<Sample> rows = DemoData.curriculumTraining(64);
    List<Sample> out = DemoData.withRandomConfidences(rows, DemoData.CONFIDENCE_SEED);
    assertEquals(out, DemoData.withRandomConfidences(rows, DemoData.CONFIDENCE_SEED), "deterministic");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      Sample a = rows.get(i), b = out.get(i);
      assertEquals(a.image(), b.image());
      assertEquals(a.problem(), b.problem());
      if (DemoData.isClassificationRow(a)) {
        assertEquals(a.solution(), b.solution());
        continue;
      }
      assertFalse(b.solution().contains("'Confidence': 1}"), b.solution());
      assertEquals(a.solution().replaceAll("'Confidence': [0-9.]+", "C"), b.solution().replaceAll("'Confidence': [0-9.]+", "C"));
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("'Confidence': ([0-9.]+)\\}").matcher(b.solution());
      while (m.find()) {
        assertTrue(m.group(1).matches("0\\.[1-9]"), m.group(1));
        seen.add(m.group(1));
      }
    }
    assertTrue(seen.size() >= 5, "varied confidences: " + seen);
  }

  @Test
  void minDistractorsZeroMixesSingleShapesIntoTheDetectionTarget() {
    try {
      DemoData.setMinDistractors(0);
      long single = DemoData.validation(DemoData.Kind.DETECTION, 16).stream()
          .filter(s -> occupiedCells(s) == 1).count();
      assertTrue(single > 4 && single < 40, "single-shape scenes: " + single);
    } finally {
      DemoData.setMinDistractors(1);
    }
    assertEquals(0, DemoData.validation(DemoData.Kind.DETECTION, 16).stream()
        .filter(s -> occupiedCells(s) == 1).count(), "the shipped target always has a distractor");
    org.junit.jupiter.api.Assertions.assertThrows(dev.virft.util.VirftException.class, () -> DemoData.setMinDistractors(3));
  }

  @Test
  void classificationInsetsDrawEachRowsSizeFromTheListAndTheDefaultKeepsTheShippedRows() {
    List<Sample> shipped = DemoData.validation(DemoData.Kind.CLASSIFICATION, 8);
    List<Sample> det = DemoData.validation(DemoData.Kind.DETECTION, 4);
    Set<Integer> squares = new HashSet<>();
    try {
      DemoData.setClassificationInsets(List.of(0, 4));
      for (Sample s : DemoData.validation(DemoData.Kind.CLASSIFICATION, 16)) {
        if (DemoData.category(s).equals("green square")) squares.add(shapePixels(s));
      }
      assertEquals(imageHashes(det), imageHashes(DemoData.validation(DemoData.Kind.DETECTION, 4)),
          "detection rows never read the classification insets");
      DemoData.setClassificationInsets(List.of(2));
      assertEquals(imageHashes(shipped), imageHashes(DemoData.validation(DemoData.Kind.CLASSIFICATION, 8)),
          "a single inset of 2 is the shipped target");
    } finally {
      DemoData.setClassificationInsets(null);
    }
    assertTrue(squares.contains(28 * 28), "inset 0: a square fills its cell: " + squares);
    assertTrue(squares.stream().anyMatch(n -> n <= 20 * 20), "inset 4: a 20-px square: " + squares);
    assertTrue(squares.stream().allMatch(n -> n == 28 * 28 || n <= 20 * 20), "only the two sizes: " + squares);
    assertEquals(imageHashes(shipped), imageHashes(DemoData.validation(DemoData.Kind.CLASSIFICATION, 8)),
        "null restores the shipped rows");
    org.junit.jupiter.api.Assertions.assertThrows(dev.virft.util.VirftException.class,
        () -> DemoData.setClassificationInsets(List.of(13)));
  }

  @Test
  void classificationBlendShadesTowardAnotherColourButStaysNearestItsLabel() {
    List<Sample> shipped = DemoData.validation(DemoData.Kind.CLASSIFICATION, 8);
    List<Sample> det = DemoData.validation(DemoData.Kind.DETECTION, 4);
    assertEquals(null, DemoData.blendedColor(new java.util.SplittableRandom(1), "red circle"), "off by default");
    int shaded = 0;
    try {
      DemoData.setClassificationBlend(0.45);
      java.util.SplittableRandom r = new java.util.SplittableRandom(7);
      for (int i = 0; i < 200; i++) {
        String label = DemoData.categories().get(i % 12);
        ShapeColor own = DemoData.item(label).color();
        Color c = DemoData.blendedColor(r, label);
        if (!c.equals(own.rgb)) shaded++;
        for (ShapeColor o : DemoData.COLORS) {
          if (o != own) assertTrue(dist(c, own.rgb) < dist(c, o.rgb), label + " shaded to " + c + " is nearer " + o);
        }
      }
      assertTrue(!imageHashes(shipped).equals(imageHashes(DemoData.validation(DemoData.Kind.CLASSIFICATION, 8))),
          "blended rows differ from the shipped ones");
      assertEquals(imageHashes(det), imageHashes(DemoData.validation(DemoData.Kind.DETECTION, 4)),
          "detection rows never read the blend");
    } finally {
      DemoData.setClassificationBlend(0);
    }
    assertTrue(shaded > 190, "almost every colour is shaded: " + shaded);
    assertEquals(imageHashes(shipped), imageHashes(DemoData.validation(DemoData.Kind.CLASSIFICATION, 8)),
        "blend 0 is the shipped target");
    org.junit.jupiter.api.Assertions.assertThrows(dev.virft.util.VirftException.class,
        () -> DemoData.setClassificationBlend(0.5));
  }

  private static double dist(Color a, Color b) {
    int dr = a.getRed() - b.getRed(), dg = a.getGreen() - b.getGreen(), db = a.getBlue() - b.getBlue();
    return Math.sqrt(dr * dr + dg * dg + db * db);
  }

  @Test
  void fewShotRowsOfAllCategoriesCoverEveryCategoryAndTheDefaultKeepsTheTargetRows() {
    List<Sample> target = DemoData.fewShot(DemoData.Kind.CLASSIFICATION, 1, 2);
    assertEquals(DemoData.perCategory(DemoData.Kind.CLASSIFICATION, 3, 2).size(), target.size());
    for (int i = 0; i < target.size(); i++) {
      assertEquals(DemoData.perCategory(DemoData.Kind.CLASSIFICATION, 3, 2).get(i).solution(), target.get(i).solution());
    }
    try {
      DemoData.setFewShotAllCategories(List.of(DemoData.Kind.CLASSIFICATION));
      List<Sample> all = DemoData.fewShot(DemoData.Kind.CLASSIFICATION, 1, 2);
      java.util.Map<String, Integer> per = new java.util.TreeMap<>();
      for (Sample s : all) per.merge(DemoData.category(s), 1, Integer::sum);
      assertEquals(DemoData.categories().size(), per.size(), per.toString());
      for (int n : per.values()) assertEquals(2, n);
      assertEquals(4 * 2, DemoData.fewShot(DemoData.Kind.DETECTION, 1, 2).size(), "detection keeps the 4 target categories");
    } finally {
      DemoData.setFewShotAllCategories(List.of());
    }
  }

  @Test
  void targetSceneSpecSetsInstancesDistractorsAndColours() {
    List<Sample> shipped = DemoData.validation(DemoData.Kind.DETECTION, 4);
    try {
      DemoData.setTargetScene(DemoData.SceneSpec.parse("2-3", "0", "any", "--target"));
      java.util.Map<Integer, Integer> byCount = new java.util.TreeMap<>();
      for (Sample s : DemoData.validation(DemoData.Kind.DETECTION, 8)) {
        int n = DemoData.boxes(s.solution()).size();
        assertEquals(n, occupiedCells(s), "every shape is the asked category: " + s.solution());
        byCount.merge(n, 1, Integer::sum);
      }
      assertEquals(Set.of(2, 3), byCount.keySet(), "instances 2-3: " + byCount);
      DemoData.setTargetScene(DemoData.SceneSpec.parse("1", "2", "other", "--target"));
      for (Sample s : DemoData.validation(DemoData.Kind.DETECTION, 8)) {
        assertEquals(3, occupiedCells(s));
        assertEquals(1, DemoData.boxes(s.solution()).size());
      }
      List<String> pool = DemoData.categories();
      java.util.SplittableRandom r = new java.util.SplittableRandom(5);
      for (int i = 0; i < 50; i++) {
        Sample s = DemoData.scene(r, new dev.virft.data.RowSource(java.nio.file.Path.of("t"), i), "red circle",
            new DemoData.SceneSpec(1, 1, 3, 3, false), List.of("red square", "red circle", "blue circle"));
        // Red square shares the asked colour, so every distractor is the pool's blue circle.
        assertEquals(4, occupiedCells(s));
        assertEquals(3, cellsWithBlueAbove(s, 150), s.solution());
      }
    } finally {
      DemoData.setTargetScene(DemoData.SceneSpec.ONE_AMONG_DISTRACTORS);
    }
    List<Sample> again = DemoData.validation(DemoData.Kind.DETECTION, 4);
    for (int i = 0; i < shipped.size(); i++) assertEquals(shipped.get(i).solution(), again.get(i).solution());
    org.junit.jupiter.api.Assertions.assertThrows(dev.virft.util.VirftException.class,
        () -> DemoData.SceneSpec.parse("0", "1", "any", "--target"));
    org.junit.jupiter.api.Assertions.assertThrows(dev.virft.util.VirftException.class,
        () -> DemoData.SceneSpec.parse("1", "2-x", "any", "--target"));
    org.junit.jupiter.api.Assertions.assertThrows(dev.virft.util.VirftException.class,
        () -> DemoData.SceneSpec.parse("1", "1", "some", "--target"));
  }

  @Test
  void sceneStageShowsOnlyBaseCategoriesInItsScenes() {
    DemoData.SceneSpec spec = DemoData.SceneSpec.parse("1-2", "0-1", "any", "--scene");
    List<Sample> rows = DemoData.sceneStage(400, spec);
    int scenes = 0;
    for (int i = 0; i < rows.size(); i++) {
      Sample s = rows.get(i);
      if (i % 4 < 2) {
        scenes++;
        assertTrue(DemoData.baseCategories().contains(DemoData.category(s)), DemoData.category(s));
        int n = DemoData.boxes(s.solution()).size();
        assertTrue(n >= 1 && n <= 2 && occupiedCells(s) <= n + 1, s.solution());
        assertTrue(s.solution().startsWith("<think> "), s.solution());
      }
    }
    assertEquals(200, scenes);
  }
}
