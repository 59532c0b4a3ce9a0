package dev.virft.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageProcessorTest {
  @TempDir Path tmp;

  @Test
  void smartResizeRoundsHalfToEvenLikePython() {
    // 70/28 = 2.5 rounds to 2 (Python's round), 98/28 = 3.5 rounds to 4.
    assertArrayEquals(new int[] {56, 112}, SmartResize.compute(70, 98, 28, 56 * 56, 28 * 28 * 1280));
  }

  @Test
  void smartResizeKeepsWithinPixelBoundsOnMultiples() {
    for (int h : new int[] {11, 97, 171, 480, 1000, 4032}) {
      for (int w : new int[] {13, 131, 230, 640, 3024}) {
        if (Math.max(h, w) / (double) Math.min(h, w) > 200) {
          continue;
        }
        int[] s = SmartResize.compute(h, w, 28, 3136, 401408);
        assertEquals(0, s[0] % 28);
        assertEquals(0, s[1] % 28);
        assertTrue((long) s[0] * s[1] <= 401408, h + "x" + w + " -> " + Arrays.toString(s));
        assertTrue((long) s[0] * s[1] >= 3136, h + "x" + w + " -> " + Arrays.toString(s));
      }
    }
  }

  @Test
  void extremeAspectRatioIsAClearError() {
    VirftException e = assertThrows(VirftException.class, () -> SmartResize.compute(10, 2500, 28, 3136, 401408));
    assertTrue(e.getMessage().contains("aspect ratio"), e.getMessage());
  }

  @Test
  void alphaIsCompositedOverWhiteWithPilRounding() {
    assertEquals(255, RgbImage.overWhite(0, 0));
    assertEquals(37, RgbImage.overWhite(37, 255));
    // PIL gives 127 for black at alpha 128 over white (float math would give 127.5).
    assertEquals(127, RgbImage.overWhite(0, 128));
    BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR);
    rgba.setRGB(0, 0, 0x00102030); // fully transparent
    rgba.setRGB(1, 0, 0xff102030); // opaque
    RgbImage rgb = RgbImage.of(rgba, "rgba");
    assertArrayEquals(new int[] {255, 255, 255, 0x10, 0x20, 0x30},
        new int[] {rgb.get(0, 0, 0), rgb.get(0, 0, 1), rgb.get(0, 0, 2), rgb.get(0, 1, 0), rgb.get(0, 1, 1), rgb.get(0, 1, 2)});
  }

  @Test
  void grayscalePngKeepsItsRawValues() throws Exception {
    BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(1, 1, 0, 100);
    Path f = tmp.resolve("gray.png");
    ImageIO.write(gray, "png", f.toFile());
    RgbImage rgb = ImageLoader.readRgb(f);
    // PIL's convert("RGB") of an L image copies the value; Java's getRGB would gamma-convert it.
    assertEquals(100, rgb.get(1, 1, 0));
    assertEquals(100, rgb.get(1, 1, 1));
    assertEquals(100, rgb.get(1, 1, 2));
    assertEquals(0, rgb.get(0, 0, 0));
  }

  @Test
  void corruptPngIsAnErrorNamingTheFile() throws Exception {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    byte[] bytes = png.toByteArray();
    Path f = tmp.resolve("broken.png");
    Files.write(f, Arrays.copyOf(bytes, bytes.length / 2));
    VirftException e = assertThrows(VirftException.class,
        () -> new ImageProcessor(ImageProcessorConfig.defaults()).processFiles(List.of(f)));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("corrupt or truncated"), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    Path junk = tmp.resolve("junk.png");
    Files.writeString(junk, "not an image");
    VirftException e2 = assertThrows(VirftException.class, () -> ImageLoader.readRgb(junk));
    assertTrue(e2.getMessage().startsWith(junk.toString()), e2.getMessage());
    assertThrows(VirftException.class, () -> ImageLoader.readRgb(tmp.resolve("missing.png")));
  }

  @Test
  void preprocessorConfigOverridesDefaults() throws Exception {
    Files.writeString(tmp.resolve("preprocessor_config.json"),
        "{\"min_pixels\": 3136, \"max_pixels\": 12845056, \"patch_size\": 14, \"temporal_patch_size\": 2,"
            + " \"merge_size\": 2, \"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.25, 0.25, 0.25],"
            + " \"size\": {\"shortest_edge\": 1, \"longest_edge\": 2}}");
    ImageProcessorConfig c = ImageProcessor.fromCheckpoint(tmp).config();
    assertEquals(3136, c.minPixels());
    assertEquals(12845056, c.maxPixels());
    assertArrayEquals(new double[] {0.5, 0.5, 0.5}, c.imageMean());
    assertEquals(ImageProcessorConfig.defaults(), ImageProcessor.fromCheckpoint(tmp.resolve("none")).config());
    Files.writeString(tmp.resolve("preprocessor_config.json"), "{\"max_pixels\": \"big\"}");
    VirftException e = assertThrows(VirftException.class, () -> ImageProcessor.fromCheckpoint(tmp));
    assertTrue(e.getMessage().contains("max_pixels"), e.getMessage());
  }

  @Test
  void pilResizeIsWithinOneUint8StepOfTheReference() throws Exception {
    Path dir = ImageProcessorGoldenTest.golden("qwen2_vl");
    try (PointerScope scope = new PointerScope()) {
      StateDict gold = Safetensors.readFile(dir.resolve("golden.safetensors"));
      PixelValues pv = ImageProcessor.fromCheckpoint(dir.resolve("checkpoint"))
          .withResizeMode(ResizeMode.PIL)
          .processFiles(List.of(dir.resolve("image0.png"), dir.resolve("image1.png")));
      Tensor diff = gold.get("proc_slow.pixel_values").sub(pv.pixelValues()).abs();
      double max = diff.max().item_double();
      double mean = diff.mean().item_double();
      System.out.printf("pil vs torch reference: max abs %.3g, mean abs %.3g%n", max, mean);
      assertTrue(max <= 0.02, "max " + max);
      assertTrue(mean <= 1e-3, "mean " + mean);
    }
  }
}
