package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

final class VisionTestSupport {
  private VisionTestSupport() {}

  static Path golden(String arch) {
    return Paths.get("src/test/resources/golden", arch);
  }

  static QwenVLConfig config(String arch) {
    return QwenVLConfig.read(golden(arch).resolve("checkpoint"));
  }

  static StateDict checkpoint(String arch) {
    return Safetensors.read(golden(arch).resolve("checkpoint"));
  }

  static StateDict goldenTensors(String arch) {
    return Safetensors.read(golden(arch).resolve("golden.safetensors"));
  }

  static long[][] grid(Tensor thw) {
    long[][] g = new long[(int) thw.size(0)][3];
    for (int i = 0; i < g.length; i++) {
      for (int j = 0; j < 3; j++) {
        g[i][j] = thw.get(i).get(j).item_long();
      }
    }
    return g;
  }

  static double maxAbsDiff(Tensor a, Tensor b) {
    return a.sub(b).abs().max().item_double();
  }

  /** Random weights scaled like the golden fixtures' (so outputs are not flat). */
  static Map<String, Tensor> randomWeights(QwenVLConfig.VisionConfig cfg, long seed) {
    torch.manual_seed(seed);
    Map<String, Tensor> w = new HashMap<>();
    for (Map.Entry<String, long[]> e : VisionTransformer.parameterShapes(cfg).entrySet()) {
      Tensor t = torch.randn(e.getValue());
      if (e.getValue().length >= 2) {
        t = t.mul(new Scalar(0.08));
      } else if (e.getKey().contains("norm") || e.getKey().contains("ln_q")) {
        t = t.mul(new Scalar(0.1)).add(new Scalar(1.0));
      } else {
        t = t.mul(new Scalar(0.05));
      }
      w.put(e.getKey(), t);
    }
    return w;
  }

  static long patches(long[][] grid) {
    long n = 0;
    for (long[] g : grid) {
      n += g[0] * g[1] * g[2];
    }
    return n;
  }
}
