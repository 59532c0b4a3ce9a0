package dev.virft.data.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.data.Prompts;
import dev.virft.data.RowSource;
import dev.virft.data.Sample;
import dev.virft.data.SampleImage;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * LISA ReasonSeg {@code data/train/*.json} (+ the {@code .jpg} of the same name) → grounding rows,
 * following the original's gen_box_ann.py, gen_sft.py and grpo_lisa.py: box = min/max of the first
 * polygon's points; one row per instruction in {@code text}; coordinates {@code int(x / W * 1000)} with
 * W×H the image's size; problem = QUESTION_TEMPLATE over "Output the bounding box in the image
 * corresponding to the instruction: {text}"; solution {@code <answer> (X1,Y1),(X2,Y2) </answer>}; an
 * {@code id} column {@code lisa_k} as gen_sft.py writes. JSON files without an image are skipped, as
 * in gen_box_ann.py. Images are kept as they are (the original opens the files directly).
 */
public final class LisaBuilder {
  private record Item(Path image, String instruction, double[] box, String id) {}

  private LisaBuilder() {}

  public static Built build(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new VirftException(dir + ": not a directory (expected LISA's data/train with *.json + *.jpg)");
    }
    List<Path> jsons;
    try (Stream<Path> s = Files.list(dir)) {
      jsons = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new VirftException(dir + ": cannot list: " + e.getMessage(), e);
    }
    List<Item> plan = new ArrayList<>();
    int images = 0;
    for (Path json : jsons) {
      Path jpg = json.resolveSibling(json.getFileName().toString().replaceAll("\\.json$", ".jpg"));
      if (!Files.isRegularFile(jpg)) continue;
      JsonNode item = Json.read(json);
      JsonNode text = item.get("text");
      JsonNode shapes = item.get("shapes");
      if (text == null || !text.isArray()) {
        throw new VirftException(json + ": field `text` missing, expected a list of instructions");
      }
      if (shapes == null || !shapes.isArray() || shapes.isEmpty() || !shapes.get(0).path("points").isArray()
          || shapes.get(0).path("points").isEmpty()) {
        throw new VirftException(json + ": field `shapes[0].points` missing, expected a polygon [[x, y], ...]");
      }
      double x1 = Double.MAX_VALUE, y1 = Double.MAX_VALUE, x2 = -Double.MAX_VALUE, y2 = -Double.MAX_VALUE;
      for (JsonNode pt : shapes.get(0).get("points")) {
        if (!pt.isArray() || pt.size() < 2) throw new VirftException(json + ": `shapes[0].points` entry is not [x, y]: " + pt);
        x1 = Math.min(x1, pt.get(0).asDouble());
        x2 = Math.max(x2, pt.get(0).asDouble());
        y1 = Math.min(y1, pt.get(1).asDouble());
        y2 = Math.max(y2, pt.get(1).asDouble());
      }
      images++;
      for (JsonNode t : text) {
        plan.add(new Item(jpg, t.asText(), new double[] {x1, y1, x2, y2}, "lisa_" + plan.size()));
      }
    }
    if (plan.isEmpty()) {
      throw new VirftException(dir + ": no LISA rows (no *.json with a matching .jpg and instructions)");
    }
    Iterable<Sample> rows = () -> new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < plan.size();
      }

      @Override
      public Sample next() {
        Item it = plan.get(i);
        RowSource src = new RowSource(it.image(), i++);
        SampleImage image = ImageFiles.load(it.image(), true, src);
        int[] b = Prompts.box1000(it.box()[0], it.box()[1], it.box()[2], it.box()[3], image.width(), image.height());
        String problem = Prompts.lisaQuestion(Prompts.lisaInstruction(it.instruction()).strip());
        return new Sample(image, problem, Prompts.lisaSolution(Prompts.lisaBox(b)), Map.of("id", it.id()), src);
      }
    };
    return new Built(rows, new BuildSummary(plan.size(), images, Map.of(), 0));
  }
}
