package dev.virft.model.nn;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code Qwen2RMSNorm} (also the Qwen2.5-VL vision blocks' and merger's norm): normalise
 * in float32, cast back, then scale. In float32 that is libtorch's fused {@code rms_norm} (one op
 * instead of seven, the same values); the bf16 path keeps transformers' cast before the scale.
 */
public final class Qwen2RMSNorm {
  private Qwen2RMSNorm() {}

  public static Tensor forward(Tensor x, Tensor weight, double eps) {
    if (x.scalar_type().intern() == torch.ScalarType.Float && weight.scalar_type().intern() == torch.ScalarType.Float) {
      return torch.rms_norm(x, new long[] {x.size(-1)}, new TensorOptional(weight), new DoubleOptional(eps));
    }
    Tensor xf = x.to(torch.ScalarType.Float);
    Tensor var = xf.pow(new Scalar(2)).mean(new long[] {-1}, true, new ScalarTypeOptional());
    Tensor normed = xf.mul(var.add(new Scalar(eps)).rsqrt());
    return weight.mul(normed.to(x.scalar_type()));
  }
}
