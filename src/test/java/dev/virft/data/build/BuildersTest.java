package dev.virft.data.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.data.DatasetReader;
import dev.virft.data.Datasets;
import dev.virft.data.Sample;
import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildersTest {
  @TempDir Path tmp;

  /** Spec §1.1, verbatim. */
  static String detectionPrompt(String c) {
    return "Detect all objects belonging to the category '" + c + "' in the image, and provide the bounding boxes (between 0 and 1000, integer) and confidence (between 0 and 1, with two decimal places).\nIf no object belonging to the category '" + c + "' in the image, return 'No Objects'.\nOutput the thinking process in <think> </think> and final answer in <answer> </answer> tags.The output answer format should be as follows:\n<think> ... </think> <answer>[{'Position': [x1, y1, x2, y2], 'Confidence': number}, ...]</answer>\nPlease strictly follow the format.";
  }

  static void image(Path p, int w, int h, String format) throws Exception {
    Files.createDirectories(p.getParent());
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0xff0000);
    ImageIO.write(img, format, p.toFile());
  }

  static List<Sample> rows(Built b) {
    List<Sample> out = new ArrayList<>();
    b.rows().forEach(out::add);
    return out;
  }

  Path coco() throws Exception {
    image(tmp.resolve("img/a.jpg"), 640, 480, "jpg");
    image(tmp.resolve("img/b.jpg"), 100, 50, "jpg");
    image(tmp.resolve("img/c.jpg"), 30, 30, "jpg");
    Path ann = tmp.resolve("instances.json");
    Files.writeString(ann, """
        {"info": {"x": [1, 2]}, "images": [
          {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480},
          {"id": 2, "file_name": "b.jpg", "width": 100, "height": 50},
          {"id": 3, "file_name": "c.jpg", "width": 30, "height": 30}],
         "annotations": [
          {"id": 1, "image_id": 1, "category_id": 17, "bbox": [41, 0, 567.3, 197.5], "segmentation": [[1, 2, 3, 4]], "iscrowd": 0},
          {"id": 2, "image_id": 1, "category_id": 17, "bbox": [0.5, 10, 10, 10], "area": 100, "iscrowd": 0},
          {"id": 3, "image_id": 1, "category_id": 17, "bbox": [5, 5, 100, 100], "segmentation": {"counts": "x"}, "iscrowd": 1},
          {"id": 4, "image_id": 2, "category_id": 11, "bbox": [2, 3, 50, 30], "iscrowd": 0},
          {"id": 5, "image_id": 2, "category_id": 17, "bbox": [2, 3, 50, 30], "iscrowd": 0}],
         "categories": [{"id": 17, "name": "cat"}, {"id": 11, "name": "fire hydrant"}, {"id": 18, "name": "dog"}]}
        """);
    return ann;
  }

  @Test
  void cocoRowsPerImageAndCategoryWithTruncatedBoxes() throws Exception {
    Built b = DetectionBuilder.build(new DetectionBuilder.Options(coco(), tmp.resolve("img"), List.of(), 0, 0, 0, false));
    List<Sample> rows = rows(b);
    assertEquals(3, rows.size());
    assertEquals(detectionPrompt("cat"), rows.get(0).problem());
    assertEquals("<answer>[{'Position': [64, 0, 950, 411], 'Confidence': 1}, {'Position': [0, 20, 16, 41], 'Confidence': 1}]</answer>",
        rows.get(0).solution());
    assertEquals("<answer>[{'Position': [20, 60, 520, 660], 'Confidence': 1}]</answer>", rows.get(1).solution());
    assertEquals(detectionPrompt("fire hydrant"), rows.get(2).problem());
    assertEquals(Map.of("cat", 2, "fire hydrant", 1, "dog", 0), b.summary().perCategory());
    // re-encoded as an RGBA PNG, as build_dataset.ipynb does
    BufferedImage img = rows.get(0).image().decode();
    assertTrue(img.getColorModel().hasAlpha());
    assertEquals(640, img.getWidth());
    assertEquals((byte) 0x89, rows.get(0).image().bytes()[0]);
  }

  @Test
  void kShotIsDeterministicAndNegativesSayNoObjects() throws Exception {
    Path ann = coco();
    var opts = new DetectionBuilder.Options(ann, tmp.resolve("img"), List.of("cat", "dog"), 1, 5, 1, true);
    List<Sample> a = rows(DetectionBuilder.build(opts));
    List<Sample> b = rows(DetectionBuilder.build(opts));
    // cat: 1 positive + 1 negative; dog: no positive, 1 negative
    assertEquals(3, a.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).solution(), b.get(i).solution());
      assertEquals(a.get(i).image().path(), b.get(i).image().path());
    }
    assertTrue(a.get(0).solution().startsWith("<answer>[{'Position'"));
    assertEquals("<answer>No Objects</answer>", a.get(1).solution());
    assertEquals(tmp.resolve("img/c.jpg"), a.get(1).image().path(), "the only image without a cat");
    assertEquals(detectionPrompt("dog"), a.get(2).problem());
    assertEquals("<answer>No Objects</answer>", a.get(2).solution());
    VirftException e = assertThrows(VirftException.class, () -> DetectionBuilder.build(
        new DetectionBuilder.Options(ann, tmp.resolve("img"), List.of("unicorn"), 0, 0, 0, true)));
    assertTrue(e.getMessage().contains("no category named 'unicorn'"));
  }

  @Test
  void lvisNamesImagesByCocoUrlAndDrawsNegativesFromNegCategoryIds() throws Exception {
    image(tmp.resolve("lv/000000000001.jpg"), 100, 50, "jpg");
    image(tmp.resolve("lv/000000000002.jpg"), 100, 50, "jpg");
    image(tmp.resolve("lv/000000000003.jpg"), 100, 50, "jpg");
    Path ann = tmp.resolve("lvis.json");
    Files.writeString(ann, """
        {"images": [
          {"id": 1, "coco_url": "http://images.cocodataset.org/train2017/000000000001.jpg", "width": 100, "height": 50, "neg_category_ids": []},
          {"id": 2, "coco_url": "http://images.cocodataset.org/val2017/000000000002.jpg", "width": 100, "height": 50, "neg_category_ids": [1]},
          {"id": 3, "coco_url": "http://images.cocodataset.org/val2017/000000000003.jpg", "width": 100, "height": 50, "neg_category_ids": [7]}],
         "annotations": [{"id": 9, "image_id": 1, "category_id": 1, "bbox": [2, 3, 50, 30], "segmentation": []}],
         "categories": [{"id": 1, "name": "kitchen_table", "synset": "x"}, {"id": 7, "name": "die"}]}
        """);
    List<Sample> rows = rows(DetectionBuilder.build(
        new DetectionBuilder.Options(ann, tmp.resolve("lv"), List.of("kitchen_table"), 0, 0, 5, true)));
    assertEquals(2, rows.size());
    assertEquals(detectionPrompt("kitchen_table"), rows.get(0).problem());
    assertEquals("<answer>[{'Position': [20, 60, 520, 660], 'Confidence': 1}]</answer>", rows.get(0).solution());
    assertEquals(tmp.resolve("lv/000000000002.jpg"), rows.get(1).image().path(), "only image 2 lists it as absent");
    assertEquals("<answer>No Objects</answer>", rows.get(1).solution());
  }

  @Test
  void cocoAnnotationsOfTheSharedFixtureParse() {
    Path f = Path.of(System.getProperty("virft.shared", "../shared"), "fixtures/coco/cocoapi-val2014-100-bbox/instances_val2014_100.json");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(f), "shared COCO fixture absent: " + f);
    CocoAnnotations a = CocoAnnotations.read(f);
    assertEquals(100, a.images.size());
    assertEquals(839, a.boxes.size(), "839 GT boxes per the fixture's EXPECTED.txt");
    assertEquals(9, a.boxes.stream().filter(CocoAnnotations.Box::crowd).count());
    assertEquals(80, a.categories.size());
  }

  @Test
  void classificationKShotFromFoldersAndListFile() throws Exception {
    for (String cls : List.of("pink_primrose", "rose")) {
      for (int i = 0; i < 3; i++) image(tmp.resolve("cls/" + cls + "/" + i + ".png"), 20, 10, "png");
    }
    String sentence = "This is an image containing a plant. Please identify the species of the plant based on the image.";
    Built b = ClassificationBuilder.build(new ClassificationBuilder.Options(tmp.resolve("cls"), sentence, 2, 1, true, true));
    List<Sample> rows = rows(b);
    assertEquals(4, rows.size());
    assertEquals(sentence + "\nOutput the thinking process in <think> </think> and final answer in <answer> </answer> tags.The output answer format should be as follows:\n<think> ... </think> <answer>species name</answer>\nPlease strictly follow the format.",
        rows.get(0).problem());
    assertEquals("<answer>pink primrose</answer>", rows.get(0).solution());
    assertEquals("<answer>rose</answer>", rows.get(3).solution());
    assertEquals(Map.of("pink primrose", 2, "rose", 2), b.summary().perCategory());
    Files.writeString(tmp.resolve("cls/list.txt"), "rose/0.png\tBoeing 737-700\n# comment\nrose/1.png\tA320\n");
    List<Sample> listed = rows(ClassificationBuilder.build(
        new ClassificationBuilder.Options(tmp.resolve("cls/list.txt"), sentence, 0, 1, false, true)));
    assertEquals(List.of("<answer>A320</answer>", "<answer>Boeing 737-700</answer>"),
        listed.stream().map(Sample::solution).toList());
  }

  @Test
  void lisaBuilderAndConversationsReaderAgree() throws Exception {
    Path dir = tmp.resolve("lisa");
    image(dir.resolve("x1.jpg"), 200, 100, "jpg");
    Files.writeString(dir.resolve("x1.json"), """
        {"text": ["the thing you sit on", "where would you put a cup?"], "is_sentence": true,
         "shapes": [{"label": "target", "points": [[10.5, 20], [150.2, 80.9], [60, 5]]}, {"label": "x", "points": [[0, 0], [199, 99]]}]}
        """);
    Files.writeString(dir.resolve("orphan.json"), "{\"text\": [\"no image\"], \"shapes\": []}");
    Built b = LisaBuilder.build(dir);
    List<Sample> rows = rows(b);
    assertEquals(2, rows.size());
    String template = " Output the thinking process in <think> </think> and your grouding box. Following \"<think> thinking process </think>\n<answer>(x1,y1),(x2,y2)</answer>)\" format.";
    assertEquals("Output the bounding box in the image corresponding to the instruction: the thing you sit on" + template, rows.get(0).problem());
    assertEquals("<answer> (52,50),(750,809) </answer>", rows.get(0).solution());
    assertEquals("lisa_1", rows.get(1).columns().get("id"));
    // gen_sft.py's output for the same data, read back through the conversations reader
    Path sft = dir.resolve("lisa_train_sft.json");
    Files.writeString(sft, """
        [{"id": "lisa_0", "conversations": [
           {"from": "user", "value": "<img>x1.jpg</img>\\n Output the bounding box in the image corresponding to the instruction: the thing you sit on"},
           {"from": "assistant", "value": "(52,50),(750,809)"}]}]
        """);
    try (DatasetReader r = Datasets.open(sft)) {
      Sample s = r.iterator().next();
      assertEquals(rows.get(0).problem(), s.problem());
      assertEquals(rows.get(0).solution(), s.solution());
      assertEquals(200, s.width());
      assertNotNull(s.image().path());
    }
  }
}
