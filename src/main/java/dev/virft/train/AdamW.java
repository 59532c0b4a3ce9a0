package dev.virft.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * AdamW with the update of {@code torch.optim.AdamW} (single-tensor path): decoupled weight decay
 * {@code p *= 1 - lr*wd}, moments {@code m = b1*m + (1-b1)*g}, {@code v = b2*v + (1-b2)*g*g}, and
 * {@code p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}.
 *
 * <p>Hand-written rather than libtorch's {@code torch::optim::AdamW} via bytedeco: resuming exactly
 * needs the moments and step count as named tensors that go into {@code optimizer.safetensors}; the
 * libtorch optimizer keeps them in per-parameter state objects that bytedeco only serialises through
 * libtorch's own archive format (TorchScript/pickle-based), which this project never reads back from
 * untrusted files. The arithmetic is a few in-place tensor ops per parameter.
 *
 * <p>Works on the float32 master parameters; their {@code grad()} must hold the accumulated gradient.
 * Weight decay follows HF Trainer: not applied to biases and normalisation weights.
 */
public final class AdamW {
  public record Hyper(double beta1, double beta2, double eps, double weightDecay) {
    public static Hyper defaults(double weightDecay) {
      return new Hyper(0.9, 0.999, 1e-8, weightDecay);
    }
  }

  private final LinkedHashMap<String, Tensor> params;
  private final Hyper hyper;
  private final Map<String, Tensor> expAvg = new LinkedHashMap<>();
  private final Map<String, Tensor> expAvgSq = new LinkedHashMap<>();
  private long step;

  public AdamW(LinkedHashMap<String, Tensor> params, Hyper hyper) {
    this.params = params;
    this.hyper = hyper;
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      expAvg.put(e.getKey(), torch.zeros_like(e.getValue()));
      expAvgSq.put(e.getKey(), torch.zeros_like(e.getValue()));
    }
  }

  /** Optimizer steps taken so far (the bias-correction counter). */
  public long stepCount() {
    return step;
  }

  public void step(double lr) {
    step++;
    double bc1 = 1 - Math.pow(hyper.beta1(), step);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(hyper.beta2(), step));
    try (NoGradGuard ignored = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor p = e.getValue();
        Tensor g = p.grad();
        if (g == null || !g.defined()) {
          continue; // frozen or unused this step: torch skips parameters without a gradient too
        }
        double wd = decays(e.getKey()) ? hyper.weightDecay() : 0.0;
        if (wd != 0.0) {
          p.mul_(new Scalar(1 - lr * wd));
        }
        update(p, g, expAvg.get(e.getKey()), expAvgSq.get(e.getKey()), hyper, lr / bc1, bc2Sqrt);
      }
    }
  }

  /**
   * Elements per piece of one parameter's update. The denominator is a temporary as large as what it
   * covers; kept under glibc's mmap threshold (32 MB) its memory is reused from step to step instead of
   * coming fresh from the kernel, whose page faults cost more than the update on the 2-core box (a
   * 151,936 x 512 embedding: two 311 MB temporaries per step before).
   */
  static final long PIECE = 1L << 22;

  /**
   * {@code m, v} moments and {@code p -= stepSize * m / (sqrt(v) / bc2Sqrt + eps)} from {@code g}, in
   * pieces of {@link #PIECE} elements (element-wise, so the result is the same as in one piece).
   */
  static void update(Tensor p, Tensor g, Tensor m, Tensor v, Hyper hyper, double stepSize, double bc2Sqrt) {
    long n = p.numel();
    if (n > PIECE && p.is_contiguous() && g.is_contiguous() && m.is_contiguous() && v.is_contiguous()) {
      Tensor pf = p.view(-1);
      Tensor gf = g.view(-1);
      Tensor mf = m.view(-1);
      Tensor vf = v.view(-1);
      for (long off = 0; off < n; off += PIECE) {
        long len = Math.min(PIECE, n - off);
        update(pf.narrow(0, off, len), gf.narrow(0, off, len), mf.narrow(0, off, len), vf.narrow(0, off, len),
            hyper, stepSize, bc2Sqrt);
      }
      return;
    }
    // The denominator: free it now, not when the collector runs.
    try (PointerScope scope = new PointerScope()) {
      m.lerp_(g, new Scalar(1 - hyper.beta1()));
      v.mul_(new Scalar(hyper.beta2())).addcmul_(g, g, new Scalar(1 - hyper.beta2()));
      Tensor denom = v.sqrt();
      denom.div_(new Scalar(bc2Sqrt)).add_(new Scalar(hyper.eps()));
      p.addcdiv_(m, denom, new Scalar(-stepSize));
    }
  }

  public void zeroGrad() {
    for (Tensor p : params.values()) {
      Tensor g = p.grad();
      if (g != null && g.defined()) {
        g.zero_();
      }
    }
  }

  /** HF Trainer's rule: no decay on biases and on LayerNorm/RMSNorm weights. */
  public static boolean decays(String name) {
    return !(name.endsWith(".bias") || name.contains("norm"));
  }

  /** Moments as named tensors ({@code exp_avg.NAME}, {@code exp_avg_sq.NAME}) for the checkpoint. */
  public LinkedHashMap<String, Tensor> stateTensors() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    expAvg.forEach((k, t) -> out.put("exp_avg." + k, t));
    expAvgSq.forEach((k, t) -> out.put("exp_avg_sq." + k, t));
    return out;
  }

  /** Restores moments (copied into the existing tensors, keeping device and dtype) and the step count. */
  public void loadState(Map<String, Tensor> state, long stepCount, String source) {
    try (NoGradGuard ignored = new NoGradGuard()) {
      for (String k : params.keySet()) {
        copyInto(expAvg.get(k), state.get("exp_avg." + k), "exp_avg." + k, source);
        copyInto(expAvgSq.get(k), state.get("exp_avg_sq." + k), "exp_avg_sq." + k, source);
      }
    }
    this.step = stepCount;
  }

  private static void copyInto(Tensor dst, Tensor src, String name, String source) {
    if (src == null) {
      throw new dev.virft.util.VirftException(
          source + ": optimizer state has no tensor '" + name + "' (trained parameters changed?)");
    }
    if (src.numel() != dst.numel()) {
      throw new dev.virft.util.VirftException(
          source + ": tensor '" + name + "' has " + src.numel() + " values, expected " + dst.numel());
    }
    dst.copy_(src.reshape(dst.sizes()));
  }
}
