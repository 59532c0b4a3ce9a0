package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * What both towers share: patch embedding, 2-D rotary, pre-norm blocks with segment-restricted
 * attention, and the merger of {@code m x m} patches. Subclasses pick the norms, the MLP and which
 * blocks attend within windows.
 */
abstract class VisionTransformerBase implements VisionTower {
  private static final int LAYOUT_CACHE = 64;

  protected final VisionConfig config;
  private final Function<String, Tensor> weights;
  private final List<String> names;
  private final Map<List<Long>, VisionLayout> layouts =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Long>, VisionLayout> eldest) {
          return size() > LAYOUT_CACHE;
        }
      };

  VisionTransformerBase(VisionConfig config, Function<String, Tensor> weights, Map<String, long[]> shapes) {
    this.config = config;
    this.weights = weights;
    this.names = List.copyOf(shapes.keySet());
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      Tensor t = weights.apply(e.getKey());
      if (t == null) {
        throw new VirftException("vision tower (" + config.family().modelType + "): weight " + e.getKey()
            + " is missing");
      }
      long[] actual = t.sizes().vec().get();
      if (!Arrays.equals(actual, e.getValue())) {
        throw new VirftException("vision tower (" + config.family().modelType + "): weight " + e.getKey()
            + " has shape " + Arrays.toString(actual) + ", expected " + Arrays.toString(e.getValue()));
      }
    }
  }

  @Override
  public VisionConfig config() {
    return config;
  }

  /** Blocks normalise with LayerNorm (Qwen2-VL) or RMSNorm (Qwen2.5-VL). */
  abstract Tensor norm(Params w, String prefix, Tensor x);

  abstract Tensor mlp(Params w, String prefix, Tensor x);

  /** Whether block {@code i} attends within windows rather than whole frames. */
  abstract boolean windowed(int block);

  abstract int mergedWindow();

  /**
   * Runs in its own {@link PointerScope} so the dozens of intermediate tensor handles per block are
   * released as soon as the forward ends (autograd keeps what backward needs by itself); the result is
   * handed to the caller's scope, if any, like any tensor the caller made.
   */
  @Override
  public Tensor forward(Tensor pixelValues, long[][] gridThw) {
    // Asked before the inner scope opens: a lookup that makes (and perhaps caches) tensors must not
    // see them freed when this forward's scope closes.
    Map<String, Tensor> resolved = new HashMap<>();
    for (String name : names) {
      Tensor t = weights.apply(name);
      if (t == null) {
        throw new VirftException("vision tower: weight " + name + " is missing");
      }
      resolved.put(name, t);
    }
    Params w = new Params(resolved);
    PointerScope outer = PointerScope.getInnerScope();
    Tensor out;
    try (PointerScope scope = new PointerScope()) {
      out = forwardInScope(w, pixelValues, gridThw);
      out.retainReference(); // detach() releases one reference; keep the tensor alive past it
      scope.detach(out);
    }
    if (outer != null) {
      outer.attach(out);
      out.releaseReference();
    }
    return out;
  }

  private Tensor forwardInScope(Params w, Tensor pixelValues, long[][] gridThw) {
    VisionLayout layout = layout(gridThw);
    if (pixelValues.dim() != 2 || pixelValues.size(0) != layout.numTokens
        || pixelValues.size(1) != config.patchDim()) {
      throw new VirftException("pixel_values has shape " + Arrays.toString(pixelValues.sizes().vec().get())
          + ", expected [" + layout.numTokens + ", " + config.patchDim() + "] for image_grid_thw "
          + Arrays.deepToString(gridThw));
    }
    Tensor patchWeight = w.get("visual.patch_embed.proj.weight");
    Device device = patchWeight.device();
    // Conv3d with stride == kernel over one patch per row is a matmul with the flattened kernel.
    Tensor x = torch.linear(pixelValues.to(device, patchWeight.scalar_type()),
        patchWeight.reshape(config.embedDim(), config.patchDim()));
    VisionRotary.CosSin rotary = VisionRotary.of(layout, config.headDim(), device);
    AttentionPlan.Bound full = layout.full.bind(device);
    AttentionPlan.Bound windows = layout.windowed == null ? null : layout.windowed.bind(device);
    for (int i = 0; i < config.depth(); i++) {
      String p = "visual.blocks." + i + ".";
      AttentionPlan.Bound plan = windowed(i) ? windows : full;
      x = x.add(attention(w, p + "attn.", norm(w, p + "norm1", x), plan, rotary));
      x = x.add(mlp(w, p + "mlp.", norm(w, p + "norm2", x)));
    }
    return merger(w, x);
  }

  private Tensor attention(Params w, String p, Tensor x, AttentionPlan.Bound plan, VisionRotary.CosSin rotary) {
    long seq = x.size(0);
    long heads = config.numHeads();
    Tensor qkv = w.linear(p + "qkv", x).view(seq, 3, heads, config.headDim());
    Tensor q = VisionRotary.apply(qkv.select(1, 0), rotary);
    Tensor k = VisionRotary.apply(qkv.select(1, 1), rotary);
    Tensor v = qkv.select(1, 2);
    return w.linear(p + "proj", plan.attend(q, k, v));
  }

  private Tensor merger(Params w, Tensor x) {
    int mm = config.spatialMergeSize() * config.spatialMergeSize();
    Tensor h = norm(w, "visual.merger.ln_q", x).reshape(-1, (long) config.embedDim() * mm);
    h = torch.gelu(w.linear("visual.merger.mlp.0", h));
    return w.linear("visual.merger.mlp.2", h);
  }

  /** This forward's weights by hub name. */
  static final class Params {
    private final Map<String, Tensor> byName;

    Params(Map<String, Tensor> byName) {
      this.byName = byName;
    }

    Tensor get(String name) {
      Tensor t = byName.get(name);
      if (t == null) {
        throw new IllegalStateException("vision tower asked for an undeclared weight " + name);
      }
      return t;
    }

    /** {@code name.weight} and {@code name.bias} applied as an affine map. */
    Tensor linear(String name, Tensor x) {
      return torch.linear(x, get(name + ".weight"), new TensorOptional(get(name + ".bias")));
    }
  }

  private VisionLayout layout(long[][] grid) {
    if (grid == null || grid.length == 0) {
      throw new VirftException("image_grid_thw: expected at least one [t, h, w] row");
    }
    List<Long> key = new ArrayList<>(grid.length * 3);
    for (long[] g : grid) {
      if (g == null) {
        throw new VirftException("image_grid_thw: null row");
      }
      for (long v : g) {
        key.add(v);
      }
      key.add(-1L); // row separator, so rows of a wrong length cannot alias
    }
    synchronized (layouts) {
      VisionLayout l = layouts.get(key);
      if (l == null) {
        l = VisionLayout.of(grid, config.spatialMergeSize(), mergedWindow());
        layouts.put(key, l);
      }
      return l;
    }
  }

  static long[] shape(long... dims) {
    return dims;
  }
}
