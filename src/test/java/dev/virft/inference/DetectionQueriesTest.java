package dev.virft.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.virft.data.Prompts;
import dev.virft.data.build.CocoAnnotations;
import dev.virft.eval.DetectionJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionQueriesTest {
  @TempDir Path dir;

  private CocoAnnotations annotations() throws Exception {
    return CocoAnnotations.read(Files.writeString(dir.resolve("gt.json"), """
        {"images": [{"id": 7, "file_name": "a.jpg", "width": 640, "height": 480},
                    {"id": 9, "file_name": "b.jpg", "width": 100, "height": 50}],
         "categories": [{"id": 18, "name": "dog"}, {"id": 17, "name": "cat"}, {"id": 1, "name": "person"}],
         "annotations": [{"image_id": 7, "category_id": 18, "bbox": [1, 1, 5, 5]},
                         {"image_id": 7, "category_id": 17, "bbox": [1, 1, 5, 5]},
                         {"image_id": 9, "category_id": 1, "bbox": [1, 1, 5, 5]}]}"""));
  }

  @Test
  void groundTruthCategoriesInIdOrderFilteredBySelection() throws Exception {
    List<DetectionQueries.Item> all = DetectionQueries.plan(annotations(), dir, null, List.of(), false,
        Prompts.EVAL_IMAGE_PREFIX);
    assertEquals(List.of("7|cat", "7|dog", "9|person"), all.stream().map(i -> i.query().key()).toList());
    assertEquals("<image>\n" + Prompts.detection("cat"), all.get(0).query().text());
    assertEquals(dir.resolve("a.jpg"), all.get(0).query().image());
    List<DetectionQueries.Item> dogs = DetectionQueries.plan(annotations(), dir, null, List.of("dog"), false, "");
    assertEquals(1, dogs.size());
    assertEquals(18, dogs.get(0).categoryId());
    assertEquals(Prompts.detection("dog"), dogs.get(0).query().text());
  }

  @Test
  void existenceMapOrderAndHallucinatedCategories() throws Exception {
    Path map = Files.writeString(dir.resolve("map.json"), "{\"9\": [\"dog\", \"person\", \"dog\"], \"7\": []}");
    List<DetectionQueries.Item> items = DetectionQueries.plan(annotations(), dir, map, List.of(), false, "");
    assertEquals(List.of("9|dog", "9|person"), items.stream().map(i -> i.query().key()).toList());
  }

  @Test
  void answersBecomeCocoResultsAsTheOriginalConvertsThem() throws Exception {
    List<DetectionQueries.Item> items = DetectionQueries.plan(annotations(), dir, null, List.of(), false, "");
    Map<String, String> answers = new HashMap<>();
    // The evaluation clean-up turns [[ into [ and drops newlines before the regex.
    answers.put("7|cat", "<think>x</think>\n<answer>[[{'Position': [100, 200, 300, 400], 'Confidence': 0.5},\n"
        + "{'Position': [100, 200, 300, 400], 'Confidence': 0.9}]]</answer>");
    answers.put("7|dog", "<answer>No Objects</answer>");
    answers.put("9|person", "<answer>[{'Position': [0, 0, 1000, 1000], 'Confidence': 2}]</answer>");
    DetectionQueries.Results r = DetectionQueries.results(items, answers);
    List<DetectionJson.RawResult> res = r.results();
    assertEquals(2, res.size()); // the duplicate position is removed, the first one kept
    assertEquals(7, res.get(0).imageId());
    assertEquals(17, res.get(0).categoryId());
    assertArrayEquals(new double[] {64, 96, 128, 96}, res.get(0).bbox(), 1e-12);
    assertEquals(0.5, res.get(0).score());
    assertArrayEquals(new double[] {0, 0, 100, 50}, res.get(1).bbox(), 1e-12);
    assertEquals(2.0, res.get(1).score()); // raw, not clipped, as the original
    Path out = dir.resolve("r/prediction_results.json");
    DetectionQueries.write(res, out);
    List<DetectionJson.RawResult> back = DetectionJson.readResults(out);
    assertEquals(2, back.size());
    assertArrayEquals(res.get(0).bbox(), back.get(0).bbox());
  }
}
