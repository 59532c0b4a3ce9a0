package dev.virft.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.data.Sample;
import dev.virft.eval.DetectionDataset;
import dev.virft.eval.DetectionJson;
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
    for (Sample s : rows) out.add(Arrays.toString(s.image().bytes()).hashCode() + ":" + s.image().bytes().length);
    return out;
  }

  @Test
  void fewShotHasShotsPerCategoryAndSplitsShareNoImage() {
    List<Sample> train = DemoData.fewShot(1, 4);
    List<Sample> test = DemoData.test(1, 3);
    assertEquals(9 * 4, train.size());
    assertEquals(9 * 3, test.size());
    Map<String, Long> perCat =
        train.stream().collect(Collectors.groupingBy(DemoData::category, Collectors.counting()));
    assertEquals(9, perCat.size());
    perCat.values().forEach(n -> assertEquals(4L, n));
    Set<String> a = imageHashes(train);
    a.retainAll(imageHashes(test));
    assertTrue(a.isEmpty(), "train and test share images");
    Set<String> base = imageHashes(DemoData.baseTraining(60));
    base.retainAll(imageHashes(test));
    assertTrue(base.isEmpty(), "base training data and test share images");
    List<Sample> validation = DemoData.validation(3);
    assertEquals(9 * 3, validation.size());
    for (List<Sample> other : List.of(train, test, DemoData.baseTraining(60))) {
      Set<String> v = imageHashes(validation);
      v.retainAll(imageHashes(other));
      assertTrue(v.isEmpty(), "the validation split shares images with another split");
    }
    // deterministic
    assertEquals(imageHashes(train), imageHashes(DemoData.fewShot(1, 4)));
    assertFalse(imageHashes(train).equals(imageHashes(DemoData.fewShot(2, 4))));
  }

  @Test
  void reasoningPrefixKeepsTheAnswerTheRewardsRead() {
    Sample s = DemoData.baseTraining(1).get(0);
    assertTrue(s.solution().startsWith("<think> There "), s.solution());
    assertTrue(dev.virft.reward.FormatReward.matches(s.solution()), s.solution());
    double iou = new dev.virft.reward.DetectionIouReward().score(s.solution(), s.solution(), Map.of());
    assertEquals(1.0, iou, 1e-12);
  }

  @Test
  void groundTruthFileIsReadByCocoAndScoresItsOwnBoxesPerfectly(@TempDir Path dir) {
    List<Sample> test = DemoData.test(3, 2);
    Path gt = dir.resolve("gt.json");
    DemoData.writeCocoGroundTruth(test, gt);
    DetectionDataset ds = DetectionJson.readGroundTruth(gt, DetectionJson.Format.COCO);
    assertEquals(test.size(), ds.images().size());
    assertEquals(9, ds.categories().size());
    int boxes = test.stream().mapToInt(s -> DemoData.boxes(s.solution()).size()).sum();
    assertEquals(boxes, ds.annotations().size());
    // the ground truth's own answers, scored through the demo's scoring path: mAP 1, IoU reward 1
    List<String> answers = new ArrayList<>();
    for (Sample s : test) answers.add(DemoData.withReasoning(s).solution());
    DemoMetrics m = DemoEvaluator.score("oracle", test, answers, gt).metrics();
    assertEquals(1.0, m.map(), 1e-9);
    assertEquals(1.0, m.meanIouReward(), 1e-9);
    assertEquals(1.0, m.formatRate(), 1e-9);
    // answers with no box score 0 everywhere
    List<String> empty = new ArrayList<>();
    for (int i = 0; i < test.size(); i++) empty.add("<think> x </think> <answer>No Objects</answer>");
    DemoMetrics z = DemoEvaluator.score("none", test, empty, gt).metrics();
    assertEquals(0.0, z.map(), 1e-12);
    assertEquals(0.0, z.meanIouReward(), 1e-12);
    assertEquals(1.0, z.formatRate(), 1e-12);
  }
}
