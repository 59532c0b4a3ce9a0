package dev.virft.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every processor case of the golden dumps vs transformers 5.17's pixel_values and image_grid_thw. */
class ImageProcessorGoldenTest {
  static Path golden(String arch) throws URISyntaxException {
    return Path.of(ImageProcessorGoldenTest.class.getResource("/golden/" + arch + "/golden.json").toURI()).getParent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void torchResizeMatchesTransformers(String arch) throws Exception {
    Path dir = golden(arch);
    JsonNode meta = Json.read(dir.resolve("golden.json"));
    GoldenFile gold = new GoldenFile(dir.resolve("golden.safetensors"));
    int cases = 0;
    for (JsonNode c : meta.get("processor_cases")) {
      String prefix = c.get("prefix").asText();
      List<Path> files = new ArrayList<>();
      c.get("images").forEach(n -> files.add(dir.resolve(n.asText())));
      ImageProcessor proc = ImageProcessor.fromCheckpoint(dir.resolve("checkpoint"))
          .withPixels(c.get("min_pixels").asLong(), c.get("max_pixels").asLong());
      try (PointerScope scope = new PointerScope()) {
        PixelValues pv = proc.processFiles(files);
        long[] wantGrid = gold.longs(prefix + ".image_grid_thw");
        long[] gotGrid = new long[pv.gridThw().length * 3];
        for (int i = 0; i < pv.gridThw().length; i++) {
          System.arraycopy(pv.gridThw()[i], 0, gotGrid, i * 3, 3);
        }
        assertArrayEquals(wantGrid, gotGrid, prefix + ".image_grid_thw");
        Tensor t = pv.pixelValues();
        assertArrayEquals(gold.shape(prefix + ".pixel_values"), t.sizes().vec().get(), prefix + ".pixel_values shape");
        float[] want = gold.floats(prefix + ".pixel_values");
        float[] got = new float[want.length];
        t.contiguous().data_ptr_float().get(got);
        Diff d = Diff.of(want, got);
        System.out.printf("%s %s: max abs %.3g, mean abs %.3g, exact %d/%d%n", arch, prefix, d.max, d.mean,
            d.exact, want.length);
        assertTrue(d.max <= 0.02, prefix + " max abs diff " + d.max);
        assertTrue(d.mean <= 1e-3, prefix + " mean abs diff " + d.mean);
      }
      cases++;
    }
    assertTrue(cases > 0, "golden.json has no processor_cases");
  }

  record Diff(double max, double mean, int exact) {
    static Diff of(float[] want, float[] got) {
      assertEquals(want.length, got.length);
      double max = 0;
      double sum = 0;
      int exact = 0;
      for (int i = 0; i < want.length; i++) {
        double d = Math.abs((double) want[i] - got[i]);
        max = Math.max(max, d);
        sum += d;
        if (want[i] == got[i]) {
          exact++;
        }
      }
      return new Diff(max, sum / want.length, exact);
    }
  }
}
