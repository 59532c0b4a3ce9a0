package dev.virft.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * RGB conversion (RGBA, L, LA, P with transparency, 16-bit gray, JPEG decoding) and the PIL bicubic
 * resize vs Pillow's own output
 * (src/test/resources/processor/make_pil_refs.py), byte for byte.
 */
class PilReferenceTest {
  @Test
  void conversionAndPilResizeMatchPillowExactly() throws Exception {
    Path dir = Path.of(PilReferenceTest.class.getResource("/processor/pil/cases.json").toURI()).getParent();
    JsonNode cases = Json.read(dir.resolve("cases.json")).get("cases");
    int n = 0;
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      RgbImage in = ImageLoader.readRgb(dir.resolve(c.path("file").asText("in_" + name + ".png")));
      Path rgbFile = dir.resolve("rgb_" + name + ".png");
      if (Files.exists(rgbFile)) {
        RgbImage want = ImageLoader.readRgb(rgbFile);
        assertArrayEquals(want.hwc(), in.hwc(), name + ": RGB conversion (" + c.get("mode").asText() + ")");
      }
      int[] size = SmartResize.compute(in.height(), in.width(), 28, c.get("min_pixels").asLong(),
          c.get("max_pixels").asLong());
      assertEquals(c.get("resized").get(0).asInt(), size[0], name + " height");
      assertEquals(c.get("resized").get(1).asInt(), size[1], name + " width");
      RgbImage want = ImageLoader.readRgb(dir.resolve("resized_" + name + ".png"));
      RgbImage got = PilBicubic.resize(in, size[1], size[0]);
      assertEquals(want.width(), got.width());
      assertEquals(want.height(), got.height());
      assertArrayEquals(want.hwc(), got.hwc(), name + ": PIL bicubic resize");
      n++;
    }
    assertTrue(n >= 9);
  }
}
