package dev.virft.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.data.Prompts;
import dev.virft.eval.GroundingPredictions;
import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroundingQueriesTest {
  @TempDir Path dir;

  @Test
  void lisaFolderGivesTheFirstInstructionPolygonAndItsBox() throws Exception {
    ImageIO.write(new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB), "jpg", dir.resolve("a.jpg").toFile());
    Files.writeString(dir.resolve("a.json"), """
        {"text": ["the fridge", "where food stays cold"],
         "shapes": [{"label": "target", "points": [[20, 10], [120, 15], [60, 80]]},
                    {"label": "ignore", "points": [[0, 0], [1, 0], [1, 1]]}]}""");
    Files.writeString(dir.resolve("orphan.json"), "{\"text\": [\"x\"], \"shapes\": []}"); // no image: skipped
    List<GroundingQueries.Item> items = GroundingQueries.fromLisaFolder(dir);
    assertEquals(1, items.size());
    GroundingQueries.Item it = items.get(0);
    assertArrayEquals(new double[] {20, 10, 120, 80}, it.gtBox());
    assertEquals(3, it.polygon().size());
    assertEquals(200, it.width());
    assertEquals(100, it.height());
    assertEquals(Prompts.SYSTEM_PROMPT, it.query().system());
    assertEquals(Prompts.lisaEvalQuestion("the fridge"), it.query().text());

    // The predictions file is what `virft eval grounding --predictions` reads and scores.
    Path preds = dir.resolve("out/p.jsonl");
    GroundingQueries.writePredictions(items, Map.of(it.query().key(), "<answer>(100,100),(600,800)</answer>"), preds);
    List<GroundingPredictions.Sample> back = GroundingPredictions.read(preds);
    assertEquals(1, back.size());
    GroundingPredictions.Score s = GroundingPredictions.score(back);
    // Predicted (20,10)-(120,80) px equals the ground-truth box exactly.
    assertEquals(1.0, s.mIoU(), 1e-5); // exact box; the original adds 1e-6 to the (normalised) union
    assertEquals(1, s.maskSamples());
  }

  @Test
  void genBoxAnnRecordsUseInstructionZeroAndBoxZero() throws Exception {
    ImageIO.write(new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("img.png").toFile());
    Path f = Files.writeString(dir.resolve("lisa_val.json"), """
        [{"image_path": "img.png", "instruction": ["first", "second"], "boxes": [[1, 2, 30, 40], [0, 0, 1, 1]]}]""");
    GroundingQueries.Item it = GroundingQueries.fromFile(f).get(0);
    assertEquals(Prompts.lisaEvalQuestion("first"), it.query().text());
    assertArrayEquals(new double[] {1, 2, 30, 40}, it.gtBox());
    assertEquals(dir.resolve("img.png"), it.query().image());

    Path bad = Files.writeString(dir.resolve("bad.json"), "[{\"image_path\": \"img.png\", \"instruction\": [\"x\"], \"boxes\": [[1, 2]]}]");
    VirftException e = assertThrows(VirftException.class, () -> GroundingQueries.fromFile(bad));
    assertTrue(e.getMessage().contains("record 1: field 'boxes[0]'"), e.getMessage());
  }
}
