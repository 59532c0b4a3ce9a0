package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.data.Sample;
import dev.virft.demo.DemoBaseCheckpoint;
import dev.virft.demo.DemoData;
import dev.virft.demo.DemoEvaluator;
import dev.virft.reward.DetectionAnswerParser;
import dev.virft.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code virft eval coco|classification|grounding --model} end to end with the demo's shipped base
 * checkpoint (a tiny Qwen2-VL trained to answer the detection format) on held-out synthetic images.
 */
class ModelEvalCommandTest {
  @TempDir static Path shared;
  static Path ckpt, images, gt;
  static List<Sample> rows;

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut, oldErr;

  @BeforeAll
  static void data() throws Exception {
    ckpt = DemoBaseCheckpoint.extract(shared.resolve("base"));
    rows = DemoData.test(11, 2).subList(0, 6);
    images = Files.createDirectories(shared.resolve("images"));
    for (int i = 0; i < rows.size(); i++) {
      Files.write(images.resolve("test_" + i + ".png"), rows.get(i).image().bytes());
    }
    gt = shared.resolve("gt.json");
    DemoData.writeCocoGroundTruth(rows, gt);
  }

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

  private int coco(Path output, String... extra) {
    List<String> args = new ArrayList<>(List.of("eval", "coco", "--annotations", gt.toString(), "--model",
        ckpt.toString(), "--images", images.toString(), "--output", output.toString(), "--batch_size", "4"));
    if (!List.of(extra).contains("--max_new_tokens")) {
      // The demo base's answers take about 46 tokens; 64 lets them end.
      args.addAll(List.of("--max_new_tokens", "64"));
    }
    args.addAll(List.of(extra));
    return Main.execute(args.toArray(String[]::new));
  }

  private static List<String> lines(Path f) throws Exception {
    return Files.readAllLines(f, StandardCharsets.UTF_8);
  }

  @Test
  void cocoRunsTheModelWritesResultsAndScoresThem() throws Exception {
    Path output = dir.resolve("coco");
    Path json = dir.resolve("m.json");
    int rc = coco(output, "--json", json.toString());
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));

    // One answer per (image, category with ground truth): one category per synthetic row.
    List<String> log = lines(output.resolve("answers.jsonl"));
    assertEquals(rows.size() + 1, log.size());
    assertTrue(Json.MAPPER.readTree(log.get(0)).has("virft_answers"));
    int expectedBoxes = 0;
    int formatted = 0;
    for (String l : log.subList(1, log.size())) {
      JsonNode n = Json.MAPPER.readTree(l);
      int i = n.get("image_id").asInt() - 1;
      assertEquals(DemoData.category(rows.get(i)), n.get("category").asText());
      String answer = n.get("answer").asText();
      formatted += answer.contains("<answer>") ? 1 : 0;
      expectedBoxes += DetectionAnswerParser.parseForEval(answer, 112, 112).boxes().size();
    }
    assertTrue(formatted > 0, "the demo base model answers in the format: " + log);

    // The results file holds exactly the boxes the original's parsing takes from those answers.
    JsonNode results = Json.read(output.resolve("prediction_results.json"));
    assertTrue(results.isArray());
    assertEquals(expectedBoxes, results.size());
    assertTrue(expectedBoxes > 0);
    for (JsonNode r : results) {
      assertTrue(r.get("image_id").asInt() >= 1 && r.get("image_id").asInt() <= rows.size());
      assertEquals(4, r.get("bbox").size());
    }

    // Metrics: printed as a table, saved to --json and to the output folder, all finite.
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]"), printed);
    JsonNode m = Json.read(json);
    assertEquals(12, m.get("stats").size());
    m.get("stats").forEach(v -> assertTrue(v.isNumber() && Double.isFinite(v.asDouble()) && v.asDouble() <= 1, m.toString()));
    assertEquals(m, Json.read(output.resolve("metrics.json")));
  }

  /**
   * Without the "<image>\n" prefix the questions are the training prompts the demo evaluates with, so
   * the answers and the mAP must be the demo evaluator's (an independent batching + decoding path).
   */
  @Test
  void trainingPromptsGiveTheDemoEvaluatorsAnswersAndMap() throws Exception {
    Path gtCopy = Files.copy(gt, dir.resolve("gt.json"));
    DemoEvaluator.Result demo = new DemoEvaluator(4, 64).evaluate("base", ckpt, rows, gtCopy);
    Path output = dir.resolve("plain");
    assertEquals(0, coco(output, "--no-image-prefix"), err.toString(StandardCharsets.UTF_8));
    List<String> log = lines(output.resolve("answers.jsonl"));
    List<String> answers = new ArrayList<>();
    for (String l : log.subList(1, log.size())) {
      answers.add(Json.MAPPER.readTree(l).get("answer").asText());
    }
    assertEquals(demo.completions(), answers);
    assertEquals(demo.metrics().map(), Json.read(output.resolve("metrics.json")).get("stats").get("AP").asDouble());
  }

  @Test
  void anInterruptedRunResumesToTheSameResults() throws Exception {
    Path output = dir.resolve("run");
    assertEquals(0, coco(output), err.toString(StandardCharsets.UTF_8));
    Path answers = output.resolve("answers.jsonl");
    String full = Files.readString(answers);
    byte[] results = Files.readAllBytes(output.resolve("prediction_results.json"));
    JsonNode metrics = Json.read(output.resolve("metrics.json"));

    // Keep the header, two answers and half of the third line, as a kill in mid-write leaves it.
    List<String> l = lines(answers);
    String cut = l.get(0) + "\n" + l.get(1) + "\n" + l.get(2) + "\n" + l.get(3).substring(0, l.get(3).length() / 2);
    Files.writeString(answers, cut);
    Files.delete(output.resolve("prediction_results.json"));
    err.reset();
    assertEquals(0, coco(output), err.toString(StandardCharsets.UTF_8));
    String log = err.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("dropped a partly written last line"), log);
    assertTrue(log.contains(rows.size() + " queries: 2 answered in"), log);
    assertTrue(log.contains((rows.size() - 2) + " to run"), log);

    assertEquals(full, Files.readString(answers));
    assertEquals(new String(results, StandardCharsets.UTF_8),
        Files.readString(output.resolve("prediction_results.json")));
    assertEquals(metrics, Json.read(output.resolve("metrics.json")));

    // Complete: a third run asks the model nothing.
    err.reset();
    assertEquals(0, coco(output));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("0 to run"));
    assertEquals(full, Files.readString(answers));

    // Other generation settings are refused rather than mixed into the same answers.
    err.reset();
    assertEquals(2, coco(output, "--max_new_tokens", "65"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("field 'max_new_tokens' is 64, this run has 65"),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void existenceMapChoosesTheCategoriesAsked() throws Exception {
    // Image 1 is asked about two categories (one hallucinated), image 2 about none listed in the map.
    String c1 = DemoData.category(rows.get(0));
    String other = DemoData.categories().stream().filter(c -> !c.equals(c1)).findFirst().orElseThrow();
    Path map = Files.writeString(dir.resolve("map.json"),
        "{\"1\": [\"" + c1 + "\", \"" + other + "\"], \"3\": []}");
    Path output = dir.resolve("map");
    assertEquals(0, coco(output, "--existence-map", map.toString()), err.toString(StandardCharsets.UTF_8));
    List<String> log = lines(output.resolve("answers.jsonl"));
    assertEquals(3, log.size());
    assertEquals(c1, Json.MAPPER.readTree(log.get(1)).get("category").asText());
    assertEquals(other, Json.MAPPER.readTree(log.get(2)).get("category").asText());

    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"1\": [\"unicorn\"]}");
    assertEquals(2, coco(dir.resolve("bad"), "--existence-map", bad.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("image 1 lists category 'unicorn'"));
  }

  @Test
  void classificationAsksEveryImageAndScoresTheResponses() throws Exception {
    Path names = Files.writeString(dir.resolve("names.txt"), String.join("\n", DemoData.categories()));
    StringBuilder val = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      int label = DemoData.categories().indexOf(DemoData.category(rows.get(i)));
      val.append("{\"image\": \"").append(images.resolve("test_" + i + ".png")).append("\", \"label\": ")
          .append(label).append("}\n");
    }
    Path list = Files.writeString(dir.resolve("val.jsonl"), val.toString());
    Path output = dir.resolve("cls");
    int rc = Main.execute("eval", "classification", "--val-list", list.toString(), "--class-names", names.toString(),
        "--model", ckpt.toString(), "--sentence", "This is an image containing a shape. Please identify it.",
        "--output", output.toString(), "--batch_size", "3", "--max_new_tokens", "24");
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    List<String> responses = lines(output.resolve("responses.jsonl"));
    assertEquals(4, responses.size());
    for (String r : responses) {
      JsonNode n = Json.MAPPER.readTree(r);
      assertTrue(n.get("image").asText().endsWith(".png"));
      assertTrue(n.has("response"));
    }
    JsonNode m = Json.read(output.resolve("metrics.json"));
    assertEquals(4, m.get("images").asInt());
    assertEquals(0, m.get("missing_response").asInt());
    double acc = m.get("accuracy").asDouble();
    assertTrue(acc >= 0 && acc <= 1);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("accuracy (original rule)"));

    assertEquals(2, Main.execute("eval", "classification", "--val-list", list.toString(), "--class-names",
        names.toString(), "--model", ckpt.toString(), "--output", output.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("exactly one of --dataset"));
  }

  @Test
  void groundingAsksWithTheLisaPromptsAndScoresMiou() throws Exception {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      int[] b = DemoData.boxes(rows.get(i).solution()).get(0);
      double[] px = DemoData.toPixels(b, 112, 112);
      data.append("{\"image_path\": \"images/test_").append(i).append(".png\", \"instruction\": [\"the ")
          .append(DemoData.category(rows.get(i))).append("\"], \"boxes\": [[").append(px[0]).append(", ")
          .append(px[1]).append(", ").append(px[0] + px[2]).append(", ").append(px[1] + px[3]).append("]]}\n");
    }
    Path file = Files.writeString(shared.resolve("lisa_test.jsonl"), data.toString());
    Path output = dir.resolve("lisa");
    int rc = Main.execute("eval", "grounding", "--data", file.toString(), "--model", ckpt.toString(),
        "--output", output.toString(), "--batch_size", "2", "--max_new_tokens", "32");
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    List<String> preds = lines(output.resolve("predictions.jsonl"));
    assertEquals(3, preds.size());
    JsonNode first = Json.MAPPER.readTree(preds.get(0));
    assertEquals(112, first.get("width").asInt());
    assertEquals("the " + DemoData.category(rows.get(0)), first.get("instruction").asText());
    JsonNode m = Json.read(output.resolve("metrics.json"));
    assertEquals(3, m.get("samples").asInt());
    double miou = m.get("mIoU").asDouble();
    assertTrue(miou >= 0 && miou <= 1, m.toString());
    JsonNode header = Json.MAPPER.readTree(lines(output.resolve("answers.jsonl")).get(0)).get("virft_answers");
    assertEquals(32, header.get("max_new_tokens").asInt());
    assertFalse(out.toString(StandardCharsets.UTF_8).isEmpty());
  }

  @Test
  void lvisFindsImagesUnderTheirCocoSplitAndScoresWithLvisEval() throws Exception {
    // The LVIS layout: images named by coco_url, stored under val2017/ (LVIS val mixes both splits).
    Path root = Files.createDirectories(dir.resolve("coco/val2017"));
    ObjectNode lvis = (ObjectNode) Json.read(gt);
    for (JsonNode img : lvis.get("images")) {
      ObjectNode o = (ObjectNode) img;
      String name = o.remove("file_name").asText();
      Files.copy(images.resolve(name), root.resolve(name));
      o.put("coco_url", "http://images.cocodataset.org/val2017/" + name);
      o.putArray("neg_category_ids");
      o.putArray("not_exhaustive_category_ids");
    }
    lvis.get("categories").forEach(c -> ((ObjectNode) c).put("frequency", "r"));
    Path ann = Files.writeString(dir.resolve("lvis.json"), Json.MAPPER.writeValueAsString(lvis));
    Path output = dir.resolve("lvis-out");
    int rc = Main.execute("eval", "lvis", "--annotations", ann.toString(), "--model", ckpt.toString(),
        "--images", root.getParent().toString(), "--output", output.toString(), "--max_new_tokens", "40");
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    assertEquals(rows.size() + 1, lines(output.resolve("answers.jsonl")).size());
    JsonNode m = Json.read(output.resolve("metrics.json"));
    double ap = m.get("stats").get("AP").asDouble();
    assertTrue(Double.isFinite(ap) && ap >= -1 && ap <= 1, m.toString());
    assertTrue(Json.read(output.resolve("prediction_results.json")).isArray());
  }

  @Test
  void aWrongImageFolderIsReportedBeforeAnyQuestion() {
    assertEquals(2, Main.execute("eval", "coco", "--annotations", gt.toString(), "--model", ckpt.toString(),
        "--images", dir.toString(), "--output", dir.resolve("o").toString()));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains(dir.resolve("test_0.png") + ": image file not found"), e);
    assertTrue(e.contains(rows.size() + " of " + rows.size() + " images to ask about are missing"), e);
  }

  @Test
  void fileOnlyModeStillNeedsResultsWithoutAModel() {
    assertEquals(2, Main.execute("eval", "coco", "--annotations", gt.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("either --results"));
  }
}
