package dev.virft.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * A CMYK JPEG (Adobe-marked, as PIL and Photoshop write them) decodes to what PIL's
 * Image.open(f).convert("RGB") gives (rgb_cmyk.png, made by Pillow 12.2 from in_cmyk.jpg; see make_pil_refs.py); the two
 * JPEG decoders' IDCTs may differ by a level or two.
 */
class CmykJpegTest {
  @Test
  void convertedLikePil() throws Exception {
    Path dir = Path.of("src/test/resources/processor/pil");
    BufferedImage ours = ImageLoader.read(dir.resolve("in_cmyk.jpg"));
    BufferedImage pil = ImageIO.read(dir.resolve("rgb_cmyk.png").toFile());
    assertEquals(pil.getWidth(), ours.getWidth());
    assertEquals(pil.getHeight(), ours.getHeight());
    int maxDiff = 0;
    long sum = 0;
    for (int y = 0; y < pil.getHeight(); y++) {
      for (int x = 0; x < pil.getWidth(); x++) {
        int a = ours.getRGB(x, y), b = pil.getRGB(x, y);
        for (int s = 0; s < 24; s += 8) {
          int d = Math.abs(((a >> s) & 255) - ((b >> s) & 255));
          maxDiff = Math.max(maxDiff, d);
          sum += d;
        }
      }
    }
    assertTrue(maxDiff <= 3, "max level difference " + maxDiff);
    assertTrue(sum / (3.0 * pil.getWidth() * pil.getHeight()) < 0.5, "mean difference " + sum);
  }
}
