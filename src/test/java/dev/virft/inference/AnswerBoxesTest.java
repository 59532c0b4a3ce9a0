package dev.virft.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswerBoxesTest {
  @TempDir Path dir;

  private static double[] corners(AnswerBoxes.Box b) {
    return new double[] {b.x1(), b.y1(), b.x2(), b.y2()};
  }

  @Test
  void detectionAnswersGivePixelBoxesWithTheirConfidence() {
    List<AnswerBoxes.Box> boxes = AnswerBoxes.parse(
        "<think>two</think> <answer>[{'Position': [100, 200, 500, 600], 'Confidence': 0.9}, "
            + "{'Position': [0, 0, 1000, 1000], 'Confidence': 0.25}]</answer>", 200, 100);
    assertEquals(2, boxes.size());
    assertArrayEquals(new double[] {20, 20, 100, 60}, corners(boxes.get(0)), 1e-9);
    assertEquals("0.90", boxes.get(0).label());
    assertArrayEquals(new double[] {0, 0, 200, 100}, corners(boxes.get(1)), 1e-9);
  }

  @Test
  void lisaAnswersGiveEveryCornerPair() {
    List<AnswerBoxes.Box> boxes = AnswerBoxes.parse("<think>x</think>\n<answer>(696,300),(999,999)</answer>", 1000, 500);
    assertEquals(1, boxes.size());
    assertArrayEquals(new double[] {696, 150, 999, 499.5}, corners(boxes.get(0)), 1e-9);
    assertEquals("box", boxes.get(0).label());
    assertTrue(AnswerBoxes.parse("<answer>No Objects</answer>", 10, 10).isEmpty());
  }

  @Test
  void drawsTheBoxOutlineAndWritesAReadablePng() throws Exception {
    BufferedImage white = new BufferedImage(100, 80, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 80; y++) for (int x = 0; x < 100; x++) white.setRGB(x, y, 0xFFFFFF);
    BufferedImage drawn = BoxDrawing.draw(white, List.of(new AnswerBoxes.Box(20, 30, 70, 60, 0.5, "detection")), "cat");
    assertNotEquals(0xFFFFFF, drawn.getRGB(45, 60) & 0xFFFFFF, "bottom edge drawn");
    assertNotEquals(0xFFFFFF, drawn.getRGB(20, 45) & 0xFFFFFF, "left edge drawn");
    assertEquals(0xFFFFFF, drawn.getRGB(45, 45) & 0xFFFFFF, "inside untouched");
    assertEquals(0xFFFFFF, drawn.getRGB(90, 75) & 0xFFFFFF, "outside untouched");
    assertEquals(0xFFFFFF, white.getRGB(45, 60) & 0xFFFFFF, "input not modified");
    Path out = dir.resolve("sub/out.png");
    BoxDrawing.write(drawn, out);
    BufferedImage back = ImageIO.read(out.toFile());
    assertEquals(100, back.getWidth());
    assertEquals(drawn.getRGB(45, 60), back.getRGB(45, 60));
    try (var s = Files.list(out.getParent())) {
      assertEquals(1, s.count(), "no temporary file left");
    }
  }
}
