package dev.virft.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The LVIS cases in shared/fixtures/coco/lvis-synthetic-bbox reproduce lvis-api to 1e-12. */
class LvisEvalFixtureTest {
  @TestFactory
  Stream<DynamicTest> lvisSynthetic() {
    Path dir = SharedFixtures.cocoFixture("lvis-synthetic-bbox");
    JsonNode expected = SharedFixtures.expected(dir);
    Stream.Builder<DynamicTest> tests = Stream.builder();
    for (JsonNode c : expected.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        DetectionDataset gt = DetectionJson.readGroundTruth(
            dir.resolve(c.get("gt").asText()), DetectionJson.Format.LVIS);
        DetectionDataset dt = LvisResults.load(gt, dir.resolve(c.get("dt").asText()), 300);
        Map<String, Double> got = new LvisEval(gt, dt).run().results();
        JsonNode want = c.get("expected");
        assertEquals(want.size(), got.size());
        for (String key : LvisEval.resultNames(300)) {
          assertEquals(want.get(key).asDouble(), got.get(key), 1e-12, c.get("name").asText() + " " + key);
        }
      }));
    }
    return tests.build();
  }
}
