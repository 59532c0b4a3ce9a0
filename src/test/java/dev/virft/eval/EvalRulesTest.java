package dev.virft.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules of the originals that the fixtures do not reach, with hand-computed outcomes. */
class EvalRulesTest {
  private static DetectionDataset gt(List<Detection> anns) {
    Map<Long, DetectionDataset.Image> images = new LinkedHashMap<>();
    images.put(1L, new DetectionDataset.Image(1, new long[0], new long[0]));
    Map<Long, DetectionDataset.Category> cats = new LinkedHashMap<>();
    cats.put(1L, new DetectionDataset.Category(1, "a", "c"));
    cats.put(2L, new DetectionDataset.Category(2, "b", "f"));
    return new DetectionDataset(images, cats, anns);
  }

  @Test
  void emptyResultsScoreZeroNotAnError() {
    DetectionDataset g = gt(List.of(new Detection(1, 1, 1, 0, 0, 10, 10, 100, 0, false, 0)));
    CocoEval ev = new CocoEval(g, CocoResults.load(g, List.of(), "empty")).run();
    assertEquals(0.0, ev.stats()[0]);
    assertEquals(0.0, ev.perClassAp().get(1L));
    assertEquals(Double.NaN, ev.perClassAp().get(2L)); // no ground truth
    assertEquals(0.0, ev.meanAp(List.of("a")));
    // As in the notebook, selecting a category without ground truth adds its NaN to the sum.
    assertEquals(Double.NaN, ev.meanAp(List.of("a", "b")));
  }

  @Test
  void lvisDropsZeroAreaAnnotations() {
    // get_ann_ids keeps only 0 < area < inf: the zero-area box of category 1 does not exist for
    // LVIS, so category 1 has no ground truth (-1, left out) and the only AP is category 2's.
    DetectionDataset g = gt(List.of(
        new Detection(1, 1, 1, 0, 0, 10, 10, 0, 0, false, 0),
        new Detection(2, 1, 2, 20, 20, 10, 10, 100, 0, false, 0)));
    List<DetectionJson.RawResult> r = List.of(
        new DetectionJson.RawResult(1, 2, new double[] {20, 20, 10, 10}, 0.9));
    LvisEval ev = new LvisEval(g, LvisResults.load(g, r, 300, "r")).run();
    assertEquals(-1.0, ev.results().get("APc"));
    assertEquals(1.0, ev.results().get("APf"), 1e-12);
    assertEquals(Double.NaN, ev.perClassAreaAveragedAp().get(1L));
  }

  @Test
  void cocoCrowdGroundTruthAbsorbsDetectionsWithoutFalsePositives() {
    // A crowd box and a normal box of the same category; three detections inside the crowd
    // region are matched to it and ignored, the normal one is found exactly: AP = 1 (up to eps).
    DetectionDataset g = gt(List.of(
        new Detection(1, 1, 1, 0, 0, 100, 100, 10000, 1, false, 0),
        new Detection(2, 1, 1, 200, 200, 10, 10, 100, 0, false, 0)));
    List<DetectionJson.RawResult> r = List.of(
        new DetectionJson.RawResult(1, 1, new double[] {0, 0, 50, 50}, 0.99),
        new DetectionJson.RawResult(1, 1, new double[] {50, 50, 50, 50}, 0.98),
        new DetectionJson.RawResult(1, 1, new double[] {10, 10, 60, 60}, 0.97),
        new DetectionJson.RawResult(1, 1, new double[] {200, 200, 10, 10}, 0.5));
    double[] s = new CocoEval(g, CocoResults.load(g, r, "r")).run().stats();
    assertEquals(1.0, s[0], 1e-12);
    assertEquals(1.0, s[8], 1e-12);
  }
}
