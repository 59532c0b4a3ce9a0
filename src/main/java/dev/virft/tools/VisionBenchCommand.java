package dev.virft.tools;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.QwenVLConfig.Family;
import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.model.vision.VisionLayout;
import dev.virft.model.vision.VisionTransformer;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code virft bench vision}: time of the vision tower's forward (and backward) on random images. */
@Command(name = "vision", mixinStandardHelpOptions = true,
    description = "Vision tower forward / forward+backward time on random pixels and weights.")
public final class VisionBenchCommand implements Callable<Integer> {
  @Option(names = "--preset", defaultValue = "qwen2-vl-2b",
      description = "qwen2-vl-2b | qwen2.5-vl-3b (the real vision towers' shapes, random weights); ignored with --checkpoint")
  String preset;

  @Option(names = "--checkpoint", description = "use this checkpoint's vision config and weights instead")
  Path checkpoint;

  @Option(names = "--depth", description = "override the number of blocks (keeps CPU runs short)")
  Integer depth;

  @Option(names = "--image", defaultValue = "448x448", description = "image size HxW in pixels (multiples of 28)")
  String image;

  @Option(names = "--images", defaultValue = "1", description = "images per forward")
  int images;

  @Option(names = "--iters", defaultValue = "3")
  int iters;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu | cuda")
  String device;

  @Option(names = "--dtype", defaultValue = "float32", description = "float32 | bfloat16")
  String dtype;

  @Option(names = "--backward", description = "also time forward + backward")
  boolean backward;

  @Override
  public Integer call() {
    Device dev = switch (device) {
      case "cpu" -> new Device(torch.DeviceType.CPU);
      case "cuda" -> {
        if (!torch.cuda_is_available()) {
          throw new VirftException("--device cuda: no CUDA device is available");
        }
        yield new Device(torch.DeviceType.CUDA, (byte) 0);
      }
      default -> throw new VirftException("--device is '" + device + "', expected cpu or cuda");
    };
    torch.ScalarType st = switch (dtype) {
      case "float32" -> torch.ScalarType.Float;
      case "bfloat16" -> torch.ScalarType.BFloat16;
      default -> throw new VirftException("--dtype is '" + dtype + "', expected float32 or bfloat16");
    };
    String[] hw = image.toLowerCase(Locale.ROOT).split("x");
    if (hw.length != 2) {
      throw new VirftException("--image is '" + image + "', expected HxW such as 448x448");
    }
    VisionConfig cfg;
    Map<String, Tensor> weights = new HashMap<>();
    if (checkpoint != null) {
      cfg = QwenVLConfig.read(checkpoint).vision();
    } else {
      cfg = switch (preset) {
        case "qwen2-vl-2b" -> new VisionConfig(Family.QWEN2_VL, 32, 1280, 1536, 5120, 16, 3, 14, 2, 2,
            "quick_gelu", 0, new int[0], 0);
        case "qwen2.5-vl-3b" -> new VisionConfig(Family.QWEN2_5_VL, 32, 1280, 2048, 3420, 16, 3, 14, 2, 2,
            "silu", 112, new int[] {7, 15, 23, 31}, 2);
        default -> throw new VirftException("--preset is '" + preset + "', expected qwen2-vl-2b or qwen2.5-vl-3b");
      };
    }
    if (depth != null) {
      int[] full = java.util.Arrays.stream(cfg.fullattBlockIndexes()).filter(i -> i < depth).toArray();
      cfg = new VisionConfig(cfg.family(), depth, cfg.embedDim(), cfg.outHiddenSize(), cfg.intermediateSize(),
          cfg.numHeads(), cfg.inChannels(), cfg.patchSize(), cfg.spatialMergeSize(), cfg.temporalPatchSize(),
          cfg.hiddenAct(), cfg.windowSize(), full, cfg.tokensPerSecond());
    }
    int unit = cfg.patchSize() * cfg.spatialMergeSize();
    long h;
    long w;
    try {
      h = Long.parseLong(hw[0]);
      w = Long.parseLong(hw[1]);
    } catch (NumberFormatException e) {
      throw new VirftException("--image is '" + image + "', expected HxW such as 448x448");
    }
    if (h % unit != 0 || w % unit != 0 || h <= 0 || w <= 0 || images < 1 || iters < 1) {
      throw new VirftException("--image sides must be positive multiples of " + unit
          + ", --images and --iters at least 1");
    }
    StateDict ckpt = checkpoint == null ? null : Safetensors.read(checkpoint);
    torch.manual_seed(0);
    for (Map.Entry<String, long[]> e : VisionTransformer.parameterShapes(cfg).entrySet()) {
      Tensor t = ckpt != null ? ckpt.get(e.getKey(), e.getValue())
          : e.getValue().length >= 2 ? torch.randn(e.getValue()).mul(new Scalar(0.02)) : torch.ones(e.getValue());
      weights.put(e.getKey(), t.to(dev, st).set_requires_grad(backward));
    }
    VisionTransformer tower = VisionTransformer.create(cfg, weights::get);
    long[][] grid = new long[images][];
    for (int i = 0; i < images; i++) {
      grid[i] = new long[] {1, h / cfg.patchSize(), w / cfg.patchSize()};
    }
    long patches = images * grid[0][1] * grid[0][2];
    Tensor pixels = torch.randn(patches, cfg.patchDim()).to(dev, torch.ScalarType.Float);

    // Window side in merged tokens: transformers' vit_merger_window_size.
    int window = cfg.family() == Family.QWEN2_5_VL ? cfg.windowSize() / cfg.spatialMergeSize() / cfg.patchSize() : 0;
    long t0 = System.nanoTime();
    VisionLayout.of(grid, cfg.spatialMergeSize(), window);
    double layoutColdMs = (System.nanoTime() - t0) / 1e6;
    for (int i = 0; i < 20; i++) {
      VisionLayout.of(grid, cfg.spatialMergeSize(), window);
    }
    t0 = System.nanoTime();
    VisionLayout.of(grid, cfg.spatialMergeSize(), window);
    double layoutMs = (System.nanoTime() - t0) / 1e6;

    System.out.printf(Locale.ROOT, "machine: %s %s, %d cores, device %s, dtype %s%n",
        System.getProperty("os.name"), System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(), device, dtype);
    System.out.printf(Locale.ROOT, "tower: %s depth %d width %d heads %d, %d image(s) %dx%d px = %d patches%n",
        cfg.family().modelType, cfg.depth(), cfg.embedDim(), cfg.numHeads(), images, h, w, patches);
    System.out.printf(Locale.ROOT,
        "layout (grid index arithmetic, once per distinct grid): %.3f ms warm JVM, %.1f ms first call%n",
        layoutMs, layoutColdMs);
    // The machine's own dense matmul rate at this width, so the tower's time reads as a utilisation
    // that means something on a shared or throttled box.
    Tensor a = torch.randn(patches, cfg.embedDim()).to(dev, st);
    Tensor b = torch.randn(cfg.embedDim(), 4L * cfg.embedDim()).to(dev, st);
    double mmMs = time(() -> a.matmul(b), dev);
    double mmGflops = 2.0 * patches * cfg.embedDim() * 4L * cfg.embedDim() / mmMs / 1e6;
    double gflop = forwardFlops(cfg, VisionLayout.of(grid, cfg.spatialMergeSize(), window)) / 1e9;
    double fwd = time(() -> tower.forward(pixels, grid), dev);
    System.out.printf(Locale.ROOT, "forward: %.1f ms (%.0f patches/s), %.1f GFLOP = %.1f GFLOP/s; plain matmul here: %.1f GFLOP/s%n",
        fwd, patches / fwd * 1e3, gflop, gflop / fwd * 1e3, mmGflops);
    if (backward) {
      double fb = time(() -> tower.forward(pixels, grid).to(torch.ScalarType.Float).sum().backward(), dev);
      System.out.printf(Locale.ROOT, "forward+backward: %.1f ms (%.0f patches/s)%n", fb, patches / fb * 1e3);
    }
    return 0;
  }

  /** Multiply-adds of the forward (x2), from the config and the attention segments. */
  static double forwardFlops(VisionConfig c, VisionLayout layout) {
    double s = layout.numTokens;
    double e = c.embedDim();
    double mm = c.spatialMergeSize() * c.spatialMergeSize();
    double mlp = (c.family() == Family.QWEN2_5_VL ? 3 : 2) * e * c.intermediateSize();
    double total = 2 * s * c.patchDim() * e;
    for (int i = 0; i < c.depth(); i++) {
      final int block = i;
      boolean windowed = c.family() == Family.QWEN2_5_VL
          && java.util.Arrays.stream(c.fullattBlockIndexes()).noneMatch(x -> x == block);
      double pairs = 0;
      for (long[] seg : windowed ? layout.windowSegments : layout.frameSegments) {
        pairs += (double) seg.length * seg.length;
      }
      total += 2 * s * (4 * e * e + mlp) + 4 * pairs * e;
    }
    return total + 2 * (s / mm) * (e * mm) * (e * mm) + 2 * (s / mm) * e * mm * c.outHiddenSize();
  }

  private double time(Runnable step, Device dev) {
    try (PointerScope warm = new PointerScope()) {
      step.run();
    }
    sync(dev);
    long t0 = System.nanoTime();
    for (int i = 0; i < iters; i++) {
      try (PointerScope s = new PointerScope()) {
        step.run();
      }
    }
    sync(dev);
    return (System.nanoTime() - t0) / 1e6 / iters;
  }

  private static void sync(Device dev) {
    if (dev.is_cuda()) {
      torch.cuda_synchronize();
    }
  }
}
