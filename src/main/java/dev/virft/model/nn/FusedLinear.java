package dev.virft.model.nn;

import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Several linear modules on the same input (q/k/v, gate/up) as one holder that decides, pass by pass,
 * whether they run as one projection over a kept concatenated copy of their weights (fewer kernel
 * launches: decoding is bound by launches, not arithmetic) or as transformers' separate modules, which
 * training passes use so that gradients are the modules' own. Adapters stay per module: the fused
 * path adds each module's LoRA share into its columns.
 */
public final class FusedLinear {
  private final ComputeWeights weights;
  private final BooleanSupplier fuseNow;
  private final Linear[] parts;
  private final Object weightKey = new Object();
  private final Object biasKey = new Object();

  /** @param fuseNow asked on every pass: whether this pass runs the fused projection */
  public FusedLinear(ComputeWeights weights, BooleanSupplier fuseNow, Linear... parts) {
    this.weights = weights;
    this.fuseNow = fuseNow;
    this.parts = parts.clone();
  }

  public Linear part(int i) {
    return parts[i];
  }

  /**
   * The projection of {@code x}: {@link Output#joined} (all parts' columns in one tensor) when this
   * pass fuses, otherwise {@link Output#parts} (one tensor per module).
   */
  public Output forward(Tensor x) {
    if (!fuseNow.getAsBoolean()) {
      Tensor[] out = new Tensor[parts.length];
      for (int i = 0; i < parts.length; i++) {
        out[i] = parts[i].forward(x);
      }
      return new Output(null, out, widths());
    }
    Tensor[] w = new Tensor[parts.length];
    for (int i = 0; i < parts.length; i++) {
      w[i] = parts[i].weight();
    }
    Tensor bias = null;
    if (parts[0].bias() != null) {
      Tensor[] b = new Tensor[parts.length];
      for (int i = 0; i < parts.length; i++) {
        b[i] = parts[i].bias();
      }
      bias = weights.fused(biasKey, b);
    }
    Tensor joined = weights.packedProduct(x, weightKey, w);
    if (joined != null) {
      if (bias != null) {
        joined.add_(bias);
      }
    } else if (bias != null) {
      joined = torch.linear(x, weights.fused(weightKey, w), new TensorOptional(bias));
    } else {
      joined = torch.linear(x, weights.fused(weightKey, w));
    }
    long offset = 0;
    for (Linear p : parts) {
      p.addAdapterInPlace(joined, x, offset);
      offset += p.weight().size(0);
    }
    return new Output(joined, null, widths());
  }

  private long[] widths() {
    long[] widths = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      widths[i] = parts[i].weight().size(0);
    }
    return widths;
  }

  /**
   * A fused projection's output: either {@code joined} [..., sum(widths)] or {@code parts}
   * [..., widths[i]], never both.
   */
  public record Output(Tensor joined, Tensor[] parts, long[] widths) {
    /** Part {@code i}'s columns [..., widths[i]]. */
    public Tensor part(int i) {
      return joined == null ? parts[i] : joined.narrow(-1, offset(i), widths[i]);
    }

    /**
     * Each part as attention heads [B, widths[i] / d, L, d], with {@code map} applied to the first
     * {@code mapped} parts: once over their joined heads when fused, so {@code map} must act on each
     * head alone (as a rotary embedding does).
     */
    public Tensor[] heads(long b, long l, long d, int mapped, UnaryOperator<Tensor> map) {
      Tensor[] out = new Tensor[widths.length];
      if (joined == null) {
        for (int i = 0; i < widths.length; i++) {
          out[i] = parts[i].view(b, l, widths[i] / d, d).transpose(1, 2);
        }
        for (int i = 0; i < mapped; i++) {
          out[i] = map.apply(out[i]);
        }
        return out;
      }
      Tensor all = joined.view(b, l, offset(widths.length) / d, d).transpose(1, 2);
      Tensor first = map.apply(all.narrow(1, 0, offset(mapped) / d));
      for (int i = 0; i < widths.length; i++) {
        out[i] = (i < mapped ? first : all).narrow(1, offset(i) / d, widths[i] / d);
      }
      return out;
    }

    private long offset(int i) {
      long o = 0;
      for (int j = 0; j < i; j++) {
        o += widths[j];
      }
      return o;
    }
  }
}
