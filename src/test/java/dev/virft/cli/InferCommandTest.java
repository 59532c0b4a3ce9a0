package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.data.Sample;
import dev.virft.demo.DemoBaseCheckpoint;
import dev.virft.demo.DemoData;
import dev.virft.inference.AnswerBoxes;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code virft infer} with the demo's base checkpoint on a synthetic image. */
class InferCommandTest {
  @Test
  void printsTheAnswerItsBoxesAndDrawsThem(@TempDir Path dir) throws Exception {
    Path ckpt = DemoBaseCheckpoint.extract(dir.resolve("base"));
    Sample s = DemoData.baseValidation(2).get(0); // a detection row of the base model's own task
    Path img = Files.write(dir.resolve("in.png"), s.image().bytes());
    Path png = dir.resolve("out/boxes.png");
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out, oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = Main.execute("infer", "--model", ckpt.toString(), "--image", img.toString(), "--detect",
          DemoData.category(s), "--max_new_tokens", "64", "--output", png.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    String answer = printed.substring(0, printed.indexOf("boxes (pixels of the 112x112 image): "));
    List<AnswerBoxes.Box> boxes = AnswerBoxes.parse(answer.strip(), 112, 112);
    assertTrue(printed.contains("boxes (pixels of the 112x112 image): " + boxes.size()), printed);
    assertTrue(!boxes.isEmpty(), "the demo base model answers with a box: " + printed);
    BufferedImage drawn = ImageIO.read(png.toFile());
    assertEquals(112, drawn.getWidth());
    BufferedImage in = ImageIO.read(img.toFile());
    AnswerBoxes.Box b = boxes.get(0);
    int changed = 0, perimeter = 0;
    int x1 = (int) Math.round(b.x1()), x2 = (int) Math.round(b.x2()) - 1;
    for (int y = (int) Math.round(b.y1()) + 1; y < Math.min(111, Math.round(b.y2())); y++, perimeter += 2) {
      changed += drawn.getRGB(Math.max(0, x1), y) != in.getRGB(Math.max(0, x1), y) ? 1 : 0;
      changed += drawn.getRGB(Math.min(111, x2 + 1), y) != in.getRGB(Math.min(111, x2 + 1), y) ? 1 : 0;
    }
    assertTrue(changed > perimeter / 3, "the first box's sides are drawn: " + changed + " of " + perimeter);
  }
}
