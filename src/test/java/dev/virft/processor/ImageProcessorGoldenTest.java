package dev.virft.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.util.Json;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every processor case of the golden dumps vs transformers 5.17's pixel_values and image_grid_thw. */
class ImageProcessorGoldenTest {
  static Path golden(String arch) throws URISyntaxException {
    return Path.of(ImageProcessorGoldenTest.class.getResource("/golden/" + arch + "/golden.json").toURI()).getParent();
  }

  static long[] longs(Tensor t) {
    Tensor c = t.to(torch.ScalarType.Long).contiguous();
    long[] out = new long[(int) c.numel()];
    c.data_ptr_long().get(out);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void matchesTransformersExactly(String arch) throws Exception {
    Path dir = golden(arch);
    JsonNode meta = Json.read(dir.resolve("golden.json"));
    int cases = 0;
    try (PointerScope scope = new PointerScope()) {
      StateDict gold = Safetensors.readFile(dir.resolve("golden.safetensors"));
      for (JsonNode c : meta.get("processor_cases")) {
        String prefix = c.get("prefix").asText();
        List<Path> files = new ArrayList<>();
        c.get("images").forEach(n -> files.add(dir.resolve(n.asText())));
        ImageProcessor proc = ImageProcessor.fromCheckpoint(dir.resolve("checkpoint"))
            .withPixels(c.get("min_pixels").asLong(), c.get("max_pixels").asLong());
        PixelValues pv = proc.processFiles(files);
        assertArrayEquals(longs(gold.get(prefix + ".image_grid_thw")), longs(pv.gridTensor()), prefix + ".image_grid_thw");
        Tensor want = gold.get(prefix + ".pixel_values");
        Tensor got = pv.pixelValues();
        assertArrayEquals(want.sizes().vec().get(), got.sizes().vec().get(), prefix + ".pixel_values shape");
        Tensor diff = want.sub(got).abs();
        double max = diff.max().item_double();
        double mean = diff.mean().item_double();
        long exact = want.eq(got).sum().item_long();
        System.out.printf("%s %s: max abs %.3g, mean abs %.3g, exactly equal %d/%d%n", arch, prefix, max, mean, exact,
            want.numel());
        assertTrue(max <= 0.02, prefix + ".pixel_values max abs diff " + max);
        assertTrue(mean <= 1e-3, prefix + ".pixel_values mean abs diff " + mean);
        cases++;
      }
    }
    assertTrue(cases > 0, "golden.json has no processor_cases");
  }
}
