package dev.virft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.data.Prompts;
import dev.virft.data.Sample;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyntheticDatasetTest {
  static SyntheticDataset ds(SyntheticTask task, Difficulty d, long seed, int rows) {
    return new SyntheticDataset(new SyntheticDataset.Config(task, d, 112, seed, rows, true));
  }

  @Test
  void sameSeedSameBytesDifferentSeedDifferentBytes() {
    List<Sample> a = new ArrayList<>();
    List<Sample> b = new ArrayList<>();
    ds(SyntheticTask.MIXED, Difficulty.NORMAL, 42, 30).forEach(a::add);
    ds(SyntheticTask.MIXED, Difficulty.NORMAL, 42, 30).forEach(b::add);
    for (int i = 0; i < 30; i++) {
      assertArrayEquals(a.get(i).image().bytes(), b.get(i).image().bytes());
      assertEquals(a.get(i).problem(), b.get(i).problem());
      assertEquals(a.get(i).solution(), b.get(i).solution());
    }
    Sample other = ds(SyntheticTask.MIXED, Difficulty.NORMAL, 43, 1).row(0);
    assertFalse(Arrays.equals(a.get(0).image().bytes(), other.image().bytes()));
    assertNotEquals(Arrays.hashCode(a.get(0).image().bytes()), Arrays.hashCode(a.get(3).image().bytes()));
  }

  static final Pattern CATEGORY = Pattern.compile("category '([a-z]+) ([a-z]+)'");
  static final Pattern BOX = Pattern.compile("\\[(\\d+), (\\d+), (\\d+), (\\d+)\\]");

  static int colorAt(BufferedImage img, int x1000, int y1000) {
    return img.getRGB(x1000 * img.getWidth() / 1000, y1000 * img.getHeight() / 1000) & 0xffffff;
  }

  @ParameterizedTest
  @EnumSource(Difficulty.class)
  void detectionBoxesSitOnShapesOfTheAskedColour(Difficulty d) {
    int positives = 0;
    int negatives = 0;
    for (Sample s : ds(SyntheticTask.DETECTION, d, 7, 60)) {
      Matcher m = CATEGORY.matcher(s.problem());
      assertTrue(m.find());
      assertEquals(Prompts.detection(m.group(1) + " " + m.group(2)), s.problem());
      assertEquals("detection", s.columns().get("task"));
      int rgb = ShapeColor.valueOf(m.group(1).toUpperCase()).rgb.getRGB() & 0xffffff;
      BufferedImage img = s.image().decode();
      assertEquals(112, img.getWidth());
      if (s.solution().equals("<answer>No Objects</answer>")) {
        negatives++;
        continue;
      }
      positives++;
      assertTrue(s.solution().matches("<answer>\\[(\\{'Position': \\[\\d+, \\d+, \\d+, \\d+\\], 'Confidence': 1\\}(, )?)+\\]</answer>"), s.solution());
      Matcher b = BOX.matcher(s.solution());
      while (b.find()) {
        int x1 = Integer.parseInt(b.group(1)), y1 = Integer.parseInt(b.group(2));
        int x2 = Integer.parseInt(b.group(3)), y2 = Integer.parseInt(b.group(4));
        assertTrue(0 <= x1 && x1 < x2 && x2 <= 1000 && 0 <= y1 && y1 < y2 && y2 <= 1000);
        assertEquals(rgb, colorAt(img, (x1 + x2) / 2, (y1 + y2) / 2), s.source() + " " + s.solution());
        // just outside the box (when inside the image) is background
        if (x1 > 20) {
          int px = (x1 - 15) * img.getWidth() / 1000, py = (y1 + y2) / 2 * img.getHeight() / 1000;
          int bg =
              d.gradientBackground
                  ? SceneRenderer.background(px, py, img.getWidth()).getRGB()
                  : SceneRenderer.BACKGROUND.getRGB();
          assertEquals(bg & 0xffffff, colorAt(img, x1 - 15, (y1 + y2) / 2));
        }
      }
    }
    assertTrue(positives > 30 && negatives > 3, positives + " / " + negatives);
  }

  @Test
  void easyHasOneOrTwoLargeShapesOfThreeColours() {
    for (int i = 0; i < 40; i++) {
      Sample s = ds(SyntheticTask.DETECTION, Difficulty.EASY, 3, 40).row(i);
      Matcher b = BOX.matcher(s.solution());
      while (b.find()) {
        int w = Integer.parseInt(b.group(3)) - Integer.parseInt(b.group(1));
        assertTrue(w >= 280, "easy shapes are large: " + s.solution());
      }
      assertTrue(s.problem().matches("(?s).*'(red|green|blue) .*"), s.problem());
    }
  }

  @Test
  void easyBackgroundShowsWhereAPixelIs() {
    BufferedImage img = ds(SyntheticTask.DETECTION, Difficulty.EASY, 3, 1).row(0).image().decode();
    int w = img.getWidth();
    // corners are background unless a shape covers them; shapes leave a 1-pixel margin
    assertEquals(new java.awt.Color(150, 150, 235).getRGB(), img.getRGB(0, 0));
    assertEquals(new java.awt.Color(250, 150, 235).getRGB(), img.getRGB(w - 1, 0));
    assertEquals(new java.awt.Color(150, 250, 235).getRGB(), img.getRGB(0, w - 1));
    for (int x = 1; x < w; x++) {
      int prev = (img.getRGB(x - 1, 0) >> 16) & 0xff, red = (img.getRGB(x, 0) >> 16) & 0xff;
      assertTrue(red >= prev, "red grows left to right");
    }
  }

  @Test
  void classificationAnswerNamesTheShapeColour() {
    for (Sample s : ds(SyntheticTask.CLASSIFICATION, Difficulty.NORMAL, 5, 20)) {
      Matcher m = Pattern.compile("<answer>([a-z]+) (circle|square|triangle)</answer>").matcher(s.solution());
      assertTrue(m.matches(), s.solution());
      assertEquals(Prompts.classification(SyntheticDataset.CLASSIFICATION_SENTENCE), s.problem());
      BufferedImage img = s.image().decode();
      int rgb = ShapeColor.valueOf(m.group(1).toUpperCase()).rgb.getRGB() & 0xffffff;
      long count = 0;
      for (int y = 0; y < img.getHeight(); y++)
        for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == rgb) count++;
      assertTrue(count > 100, "the one shape is drawn in the answered colour");
    }
  }

  @Test
  void groundingRowsUseLisaFormatAndPointAtAShape() {
    Pattern sol = Pattern.compile("<answer> \\((\\d+),(\\d+)\\),\\((\\d+),(\\d+)\\) </answer>");
    Pattern rel = Pattern.compile("instruction: the shape (left of|right of|above|below) the ([a-z]+) ([a-z]+) Output");
    int relational = 0;
    for (Sample s : ds(SyntheticTask.GROUNDING, Difficulty.EASY, 11, 30)) {
      Matcher m = sol.matcher(s.solution());
      assertTrue(m.matches(), s.solution());
      assertTrue(s.problem().startsWith("Output the bounding box in the image corresponding to the instruction: the "));
      assertTrue(s.problem().endsWith("Following \"<think> thinking process </think>\n<answer>(x1,y1),(x2,y2)</answer>)\" format."));
      int x1 = Integer.parseInt(m.group(1)), y1 = Integer.parseInt(m.group(2));
      int x2 = Integer.parseInt(m.group(3)), y2 = Integer.parseInt(m.group(4));
      BufferedImage img = s.image().decode();
      assertNotEquals(SceneRenderer.BACKGROUND.getRGB() & 0xffffff, colorAt(img, (x1 + x2) / 2, (y1 + y2) / 2));
      Matcher r = rel.matcher(s.problem());
      if (r.find()) {
        relational++;
        // the anchor's colour appears on the named side of the target box
        int anchor = ShapeColor.valueOf(r.group(2).toUpperCase()).rgb.getRGB() & 0xffffff;
        boolean seen = false;
        for (int y = 0; y < 112 && !seen; y++) {
          for (int x = 0; x < 112 && !seen; x++) {
            if ((img.getRGB(x, y) & 0xffffff) != anchor) continue;
            int px = x * 1000 / 112, py = y * 1000 / 112;
            seen = switch (r.group(1)) {
              case "left of" -> px >= x2;
              case "right of" -> px < x1;
              case "above" -> py >= y2;
              default -> py < y1;
            };
          }
        }
        assertTrue(seen, s.problem() + " " + s.solution());
      }
    }
    assertTrue(relational > 10, "most easy grounding rows are relational: " + relational);
  }
}
