package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.nn.WeightCast;
import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * The model's {@code visual} (transformers' {@code Qwen2VisionTransformerPretrainedModel} /
 * {@code Qwen2_5_VisionTransformerPretrainedModel}): image patches in, one embedding per merged
 * {@code m x m} block of patches out, in the order the language model's {@code <|image_pad|>} tokens
 * expect them. Patch embedding, 2-D rotary, pre-norm blocks with segment-restricted attention and the
 * patch merger are shared; the two families (the subclasses) differ in their norms, their MLP and
 * which blocks attend within windows. Weights are bound once when the tower is built and seen through a {@link WeightCast}
 * on every forward, so gradients reach the masters.
 */
public abstract sealed class VisionTransformer permits Qwen2VisionTransformer, Qwen25VisionTransformer {
  private static final int LAYOUT_CACHE = 64;

  private final VisionConfig config;
  private final PatchEmbed patchEmbed;
  private final VisionBlock[] blocks;
  private final PatchMerger merger;
  private final int mergedWindow;
  private final Set<Integer> fullAttention = new TreeSet<>();
  private final Map<List<Long>, VisionLayout> layouts =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Long>, VisionLayout> eldest) {
          return size() > LAYOUT_CACHE;
        }
      };

  /** A family's norm: binds {@code NAME.*} of width {@code dim}. */
  @FunctionalInterface
  interface NormFactory {
    VisionNorm bind(WeightCast cast, WeightBinder b, String name, long dim);
  }

  /** A family's block MLP: binds {@code mlp.*}. */
  @FunctionalInterface
  interface MlpFactory {
    VisionMlp bind(VisionConfig config, WeightCast cast, WeightBinder b);
  }

  /**
   * Binds {@code patch_embed.*}, {@code blocks.N.*} and {@code merger.*} under {@code b} (e.g.
   * {@code "visual."}) with the family's norm and MLP.
   *
   * @param mergedWindow window side in merged tokens (blocks outside {@code fullatt_block_indexes}
   *     attend within windows), or 0: every block attends over whole frames
   */
  VisionTransformer(VisionConfig config, WeightCast cast, WeightBinder b, NormFactory norm, MlpFactory mlp,
      int mergedWindow) {
    this.config = config;
    this.mergedWindow = mergedWindow;
    for (int i : config.fullattBlockIndexes()) {
      fullAttention.add(i);
    }
    patchEmbed = new PatchEmbed(config, cast, b.under("patch_embed."));
    blocks = new VisionBlock[config.depth()];
    for (int i = 0; i < blocks.length; i++) {
      WeightBinder block = b.under("blocks." + i + ".");
      VisionNorm norm1 = norm.bind(cast, block, "norm1", config.embedDim());
      VisionNorm norm2 = norm.bind(cast, block, "norm2", config.embedDim());
      VisionAttention attn = new VisionAttention(config, cast, block.under("attn."));
      blocks[i] = new VisionBlock(norm1, norm2, attn, mlp.bind(config, cast, block.under("mlp.")));
    }
    WeightBinder m = b.under("merger.");
    merger = new PatchMerger(config, norm.bind(cast, m, "ln_q", config.embedDim()), cast, m);
  }

  /**
   * Builds the tower for {@code config.family()} over weights bound under {@code b}, seen through
   * {@code cast} on every forward.
   */
  public static VisionTransformer create(VisionConfig config, WeightCast cast, WeightBinder b) {
    return switch (config.family()) {
      case QWEN2_VL -> new Qwen2VisionTransformer(config, cast, b);
      case QWEN2_5_VL -> new Qwen25VisionTransformer(config, cast, b);
    };
  }

  /**
   * The tower over weights by full hub name (e.g. {@code visual.blocks.0.attn.qkv.weight}), used as
   * given; every name is asked for (and its shape checked) here, once.
   */
  public static VisionTransformer create(VisionConfig config, Function<String, Tensor> weights) {
    WeightBinder b = WeightBinder.of("vision tower (" + config.family().modelType + ")", weights);
    return create(config, t -> t, b.under("visual."));
  }

  /** Every parameter of the tower: hub name ({@code visual.*}) to shape, in transformers' order. */
  public static Map<String, long[]> parameterShapes(VisionConfig config) {
    WeightBinder b = WeightBinder.layout();
    create(config, t -> t, b.under("visual."));
    return b.shapes();
  }

  public VisionConfig config() {
    return config;
  }

  /** Whether block {@code i} attends within windows rather than whole frames. */
  private boolean windowed(int block) {
    return mergedWindow > 0 && !fullAttention.contains(block);
  }

  /**
   * Runs in its own {@link PointerScope} so the dozens of intermediate tensor handles per block are
   * released as soon as the forward ends (autograd keeps what backward needs by itself); the result is
   * handed to the caller's scope, if any, like any tensor the caller made.
   *
   * @param pixelValues {@code [sum(t*h*w), C*T*P*P]} float, rows in the image processor's order; moved
   *     to the weights' device and dtype
   * @param gridThw one {@code [t, h, w]} per image, in patches
   * @return {@code [sum(t*h*w) / merge², outHiddenSize]} in the weights' dtype
   */
  public Tensor forward(Tensor pixelValues, long[][] gridThw) {
    PointerScope outer = PointerScope.getInnerScope();
    Tensor out;
    try (PointerScope scope = new PointerScope()) {
      out = forwardInScope(pixelValues, gridThw);
      out.retainReference(); // detach() releases one reference; keep the tensor alive past it
      scope.detach(out);
    }
    if (outer != null) {
      outer.attach(out);
      out.releaseReference();
    }
    return out;
  }

  private Tensor forwardInScope(Tensor pixelValues, long[][] gridThw) {
    VisionLayout layout = layout(gridThw);
    if (pixelValues.dim() != 2 || pixelValues.size(0) != layout.numTokens
        || pixelValues.size(1) != config.patchDim()) {
      throw new VirftException("pixel_values has shape " + Arrays.toString(pixelValues.sizes().vec().get())
          + ", expected [" + layout.numTokens + ", " + config.patchDim() + "] for image_grid_thw "
          + Arrays.deepToString(gridThw));
    }
    Tensor x = patchEmbed.forward(pixelValues);
    Device device = x.device();
    VisionRotaryEmbedding.CosSin rotary = VisionRotaryEmbedding.of(layout, config.headDim(), device);
    AttentionPlan.Bound full = layout.full.bind(device);
    AttentionPlan.Bound windows = layout.windowed == null ? null : layout.windowed.bind(device);
    for (int i = 0; i < blocks.length; i++) {
      x = blocks[i].forward(x, windowed(i) ? windows : full, rotary);
    }
    return merger.forward(x);
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
        l = VisionLayout.of(grid, config.spatialMergeSize(), mergedWindow);
        layouts.put(key, l);
      }
      return l;
    }
  }
}
