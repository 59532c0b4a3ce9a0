package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval verbs end to end on small hand-written files (no shared fixtures needed). */
class EvalCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut, oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  private static final String GT = """
      {"images": [{"id": 1, "neg_category_ids": [], "not_exhaustive_category_ids": []},
                  {"id": 2, "neg_category_ids": [], "not_exhaustive_category_ids": []}],
       "categories": [{"id": 1, "name": "cat", "frequency": "r"}, {"id": 2, "name": "dog", "frequency": "f"}],
       "annotations": [
         {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0,
          "segmentation": [[0, 0, 10, 0, 10, 10]]},
         {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 20, 20], "area": 400, "iscrowd": 0}]}
      """;

  // cat found exactly; dog missed (the dog box is a cat box far away: a false positive for cat).
  private static final String DT = """
      [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
       {"image_id": 2, "category_id": 1, "bbox": [50, 50, 10, 10], "score": 0.1}]
      """;

  @Test
  void cocoScoresAResultsFileAndWritesJson() throws Exception {
    Path gt = Files.writeString(dir.resolve("gt.json"), GT);
    Path dt = Files.writeString(dir.resolve("dt.json"), DT);
    Path json = dir.resolve("out/metrics.json");
    int rc = Main.execute("eval", "coco", "--annotations", gt.toString(), "--results", dt.toString(),
        "--categories", "cat, dog", "--json", json.toString());
    assertEquals(0, rc, err.toString());
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("maxDets=100 ] = 0.500"), text);
    JsonNode m = Json.read(json);
    // cat: the TP comes first, so precision 1 at every recall threshold -> AP 1; dog: no detection -> 0.
    assertEquals(0.5, m.get("stats").get("AP").asDouble(), 1e-12);
    assertEquals(100.0, m.get("per_class_ap").get(0).get("ap").asDouble(), 1e-9);
    assertEquals(0.0, m.get("per_class_ap").get(1).get("ap").asDouble(), 1e-12);
    assertEquals(50.0, m.get("selected_map").asDouble(), 1e-9);
  }

  @Test
  void lvisDropsDetectionsOfUnverifiedCategories() throws Exception {
    Path gt = Files.writeString(dir.resolve("gt.json"), GT);
    Path dt = Files.writeString(dir.resolve("dt.json"), DT);
    Path json = dir.resolve("lvis.json");
    int rc = Main.execute("eval", "lvis", "--annotations", gt.toString(), "--results", dt.toString(),
        "--json", json.toString());
    assertEquals(0, rc, err.toString());
    JsonNode s = Json.read(json).get("stats");
    // The cat detection in image 2 is neither annotated there nor negative: dropped, so cat AP = 1
    // (APr); dog has no detection (APf = 0); AP = mean.
    assertEquals(1.0, s.get("APr").asDouble(), 1e-12);
    assertEquals(0.0, s.get("APf").asDouble(), 1e-12);
    assertEquals(0.5, s.get("AP").asDouble(), 1e-12);
    assertTrue(s.has("AR@300"));
  }

  @Test
  void badInputIsOneLineNamingFileAndField() throws Exception {
    Path gt = Files.writeString(dir.resolve("gt.json"), GT);
    Path dt = Files.writeString(dir.resolve("dt.json"), "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 10], \"score\": 1}]");
    int rc = Main.execute("eval", "coco", "--annotations", gt.toString(), "--results", dt.toString());
    assertEquals(2, rc);
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.startsWith("error: ") && e.contains("dt.json: [0]: field 'bbox'"), e);
    Path unknown = Files.writeString(dir.resolve("dt2.json"), "[{\"image_id\": 9, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 1}]");
    assertEquals(2, Main.execute("eval", "coco", "--annotations", gt.toString(), "--results", unknown.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("field 'image_id' is 9"));
    assertEquals(2, Main.execute("eval", "coco", "--annotations", gt.toString(), "--results", Files.writeString(dir.resolve("d3.json"), DT).toString(), "--categories", "cow"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("'cow' is not the name of a category"));
  }

  @Test
  void classificationAndGrounding() throws Exception {
    Path names = Files.writeString(dir.resolve("names.txt"), "rose\nsun flower");
    Path val = Files.writeString(dir.resolve("val.jsonl"),
        "{\"image\": \"a.jpg\", \"label\": 0}\n{\"image\": \"b.jpg\", \"label\": 1}\n");
    Path resp = Files.writeString(dir.resolve("resp.jsonl"),
        "{\"image\": \"a.jpg\", \"response\": \"<answer>Rose</answer>\"}\n"
            + "{\"image\": \"b.jpg\", \"response\": \"<answer>flower</answer>\"}\n");
    Path cj = dir.resolve("cls.json");
    assertEquals(0, Main.execute("eval", "classification", "--val-list", val.toString(),
        "--class-names", names.toString(), "--responses", resp.toString(), "--json", cj.toString()), err.toString());
    assertEquals(1.0, Json.read(cj).get("accuracy").asDouble());
    assertEquals(0.5, Json.read(cj).get("strict_accuracy").asDouble());

    Path pred = Files.writeString(dir.resolve("lisa.jsonl"),
        "{\"image\": \"x.jpg\", \"response\": \"<answer>(0,0),(500,1000)</answer>\", \"gt_box\": [0, 0, 10, 10],"
            + " \"width\": 10, \"height\": 10, \"gt_polygon\": [[0, 0], [9, 0], [9, 9], [0, 9]]}\n"
            + "{\"image\": \"y.jpg\", \"response\": \"no box\", \"gt_box\": [0, 0, 5, 5], \"width\": 10, \"height\": 10}\n");
    Path gj = dir.resolve("g.json");
    assertEquals(0, Main.execute("eval", "grounding", "--predictions", pred.toString(), "--json", gj.toString()), err.toString());
    JsonNode g = Json.read(gj);
    // Sample 1: pred [0,0,.5,1] vs GT [0,0,1,1]: .5 / (.5 + 1 - .5 + 1e-6); sample 2: 0.
    assertEquals((0.5 / (1 + 1e-6)) / 2, g.get("mIoU").asDouble(), 1e-12);
    // Masks: box covers columns 0..4 of the 10x10 polygon mask: 50 / (100 + 1e-6).
    assertEquals(1, g.get("mask_samples").asInt());
    assertEquals(50 / (100 + 1e-6), g.get("gIoU_box_mask").asDouble(), 1e-12);
  }
}
