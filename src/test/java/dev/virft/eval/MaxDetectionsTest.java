package dev.virft.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-image detection limits, which no fixture exercises: COCO keeps the 100 best detections
 * of an image (maxDets), LVIS the 300 best (LVISResults). One ground-truth box, many disjoint false
 * positives with higher scores, and one exact detection ranked just inside or just outside the
 * limit. Hand-computed: inside at rank n, the only true positive comes after n-1 false positives,
 * so precision is 1/n at every recall threshold and for every IoU threshold, AP = 1/n and recall 1;
 * outside, AP = recall = 0.
 */
class MaxDetectionsTest {
  private static final double TOL = 1e-12;

  /** The GT box [0,0,10,10]; false positives are 10x10 boxes far to the right, never overlapping. */
  private static List<DetectionJson.RawResult> detections(int total, int rankOfTruePositive) {
    List<DetectionJson.RawResult> out = new ArrayList<>();
    int fp = 0;
    for (int rank = 1; rank <= total; rank++) {
      double score = 1.0 - rank * 1e-4;
      if (rank == rankOfTruePositive) {
        out.add(new DetectionJson.RawResult(1, 1, new double[] {0, 0, 10, 10}, score));
      } else {
        out.add(new DetectionJson.RawResult(1, 1, new double[] {100 + 20 * fp++, 0, 10, 10}, score));
      }
    }
    // File order must not matter: the evaluators sort by score.
    java.util.Collections.reverse(out);
    return out;
  }

  private static DetectionDataset groundTruth(String frequency) {
    Map<Long, DetectionDataset.Image> images = new LinkedHashMap<>();
    images.put(1L, new DetectionDataset.Image(1, new long[0], new long[0]));
    Map<Long, DetectionDataset.Category> cats = new LinkedHashMap<>();
    cats.put(1L, new DetectionDataset.Category(1, "thing", frequency));
    List<Detection> anns = List.of(new Detection(1, 1, 1, 0, 0, 10, 10, 100, 0, false, 0));
    return new DetectionDataset(images, cats, anns);
  }

  private static double[] coco(int total, int rank) {
    DetectionDataset gt = groundTruth(null);
    return new CocoEval(gt, CocoResults.load(gt, detections(total, rank), "test")).run().stats();
  }

  @Test
  void cocoKeepsTheHundredthDetection() {
    double[] s = coco(150, 100);
    assertEquals(1.0 / 100, s[0], TOL, "AP");
    assertEquals(1.0 / 100, s[1], TOL, "AP50");
    assertEquals(0.0, s[6], TOL, "AR1");
    assertEquals(0.0, s[7], TOL, "AR10");
    assertEquals(1.0, s[8], TOL, "AR100");
  }

  @Test
  void cocoDropsTheHundredAndFirstDetection() {
    double[] s = coco(150, 101);
    assertEquals(0.0, s[0], TOL, "AP");
    assertEquals(0.0, s[8], TOL, "AR100");
  }

  private static Map<String, Double> lvis(int total, int rank) {
    DetectionDataset gt = groundTruth("f");
    DetectionDataset dt = LvisResults.load(gt, detections(total, rank), 300, "test");
    assertEquals(Math.min(total, 300), dt.annotations().size());
    return new LvisEval(gt, dt).run().results();
  }

  @Test
  void lvisKeepsTheThreeHundredthDetection() {
    Map<String, Double> r = lvis(350, 300);
    assertEquals(1.0 / 300, r.get("AP"), TOL);
    assertEquals(1.0 / 300, r.get("APf"), TOL);
    assertEquals(-1.0, r.get("APr"), TOL, "no rare category");
    assertEquals(1.0, r.get("AR@300"), TOL);
  }

  @Test
  void lvisDropsTheThreeHundredAndFirstDetection() {
    Map<String, Double> r = lvis(350, 301);
    assertEquals(0.0, r.get("AP"), TOL);
    assertEquals(0.0, r.get("AR@300"), TOL);
  }

  @Test
  void lvisHasNoPerImageCutInsideTheEvaluator() {
    // 150 detections stay 150 for LVIS (COCO would cut at 100): the true positive at rank 120 counts.
    Map<String, Double> r = lvis(150, 120);
    assertEquals(1.0 / 120, r.get("AP"), TOL);
  }
}
