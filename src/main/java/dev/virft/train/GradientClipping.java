package dev.virft.train;

import java.util.Collection;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/** {@code torch.nn.utils.clip_grad_norm_} (2-norm over all gradients, coefficient capped at 1). */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * Scales gradients so their global norm is at most {@code maxNorm} (no-op when {@code maxNorm <= 0})
   * and returns the norm before clipping; NaN or infinite when a gradient is not finite (the caller
   * then skips the step).
   */
  public static double clip(Collection<Tensor> params, double maxNorm) {
    double sumSq = 0.0;
    try (NoGradGuard ignored = new NoGradGuard(); PointerScope scope = new PointerScope()) {
      for (Tensor p : params) {
        Tensor g = p.grad();
        if (g != null && g.defined()) {
          double n = g.norm().item_double();
          sumSq += n * n;
        }
      }
      double total = Math.sqrt(sumSq);
      if (maxNorm > 0 && Double.isFinite(total)) {
        double coef = Math.min(1.0, maxNorm / (total + 1e-6));
        if (coef < 1.0) {
          for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null && g.defined()) {
              g.mul_(new Scalar(coef));
            }
          }
        }
      }
      return total;
    }
  }
}
