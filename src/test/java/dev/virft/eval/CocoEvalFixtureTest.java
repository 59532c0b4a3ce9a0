package dev.virft.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every COCO case in shared/fixtures/coco reproduces pycocotools' numbers (from the fixtures'
 * expected.json) to 1e-12: the 12 stats, and where the fixture derives them, the 12 stats of each
 * single-category evaluation and the per-class AP.
 */
class CocoEvalFixtureTest {
  private static final double TOL = 1e-12;

  @TestFactory
  Stream<DynamicTest> cocoapiVal2014() {
    return cases("cocoapi-val2014-100-bbox");
  }

  @TestFactory
  Stream<DynamicTest> hotcocoEdgeCases() {
    return cases("hotcoco-edge-bbox");
  }

  @TestFactory
  Stream<DynamicTest> torchmetricsSmall() {
    return cases("torchmetrics-small-bbox");
  }

  private Stream<DynamicTest> cases(String fixture) {
    Path dir = SharedFixtures.cocoFixture(fixture);
    JsonNode expected = SharedFixtures.expected(dir);
    Stream.Builder<DynamicTest> tests = Stream.builder();
    for (JsonNode c : expected.get("cases")) {
      String name = c.get("name").asText();
      tests.add(DynamicTest.dynamicTest(name + ": 12 stats", () -> {
        CocoEval ev = evaluate(dir, c);
        assertStats(c.get("expected_stats"), ev.stats(), name);
      }));
      JsonNode perCat = c.get("derived_per_category_stats");
      if (perCat != null) {
        tests.add(DynamicTest.dynamicTest(name + ": per-category stats and per-class AP", () -> {
          DetectionDataset gt = groundTruth(dir, c);
          DetectionDataset dt = CocoResults.load(gt, dir.resolve(c.get("dt").asText()));
          Map<Long, Double> ap = new CocoEval(gt, dt).run().perClassAp();
          for (Iterator<Map.Entry<String, JsonNode>> it = perCat.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            long cat = Long.parseLong(e.getKey());
            CocoEval one = new CocoEval(gt, dt);
            one.params().catIds = new long[] {cat};
            one.run();
            assertStats(e.getValue(), one.stats(), name + " category " + cat);
            double stat0 = e.getValue().get(0).asDouble();
            if (stat0 == -1) {
              assertEquals(Double.NaN, ap.get(cat), name + " category " + cat + " has no GT");
            } else {
              assertEquals(stat0 * 100, ap.get(cat), TOL * 100, name + " per-class AP of " + cat);
            }
          }
        }));
      }
      JsonNode perCatAp = c.get("derived_per_category_AP");
      if (perCatAp != null) {
        tests.add(DynamicTest.dynamicTest(name + ": per-class AP", () -> {
          Map<Long, Double> ap = evaluate(dir, c).perClassAp();
          for (Iterator<Map.Entry<String, JsonNode>> it = perCatAp.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            double want = e.getValue().asDouble();
            double got = ap.get(Long.parseLong(e.getKey()));
            if (want == -1) {
              assertEquals(Double.NaN, got);
            } else {
              assertEquals(want * 100, got, TOL * 100);
            }
          }
        }));
      }
    }
    return tests.build();
  }

  private static DetectionDataset groundTruth(Path dir, JsonNode c) {
    return DetectionJson.readGroundTruth(dir.resolve(c.get("gt").asText()), DetectionJson.Format.COCO);
  }

  private static CocoEval evaluate(Path dir, JsonNode c) {
    DetectionDataset gt = groundTruth(dir, c);
    DetectionDataset dt = CocoResults.load(gt, dir.resolve(c.get("dt").asText()));
    return new CocoEval(gt, dt).run();
  }

  static void assertStats(JsonNode expected, double[] got, String what) {
    assertEquals(expected.size(), got.length, what);
    for (int i = 0; i < got.length; i++) {
      assertEquals(expected.get(i).asDouble(), got[i], TOL,
          what + " " + CocoEval.STAT_NAMES.get(i));
    }
  }
}
