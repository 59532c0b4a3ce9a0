package dev.virft.model.nn;

import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * What the text M-RoPE and the vision 2-D rotary share: transformers' default {@code inv_freq} and
 * {@code x * cos + rotate_half(x) * sin} with rotate_half(x) = cat(-x2, x1), computed as
 * {@code x * cos + roll(x, half) * signedSin} where signedSin = cat(-sin1, sin2) ({@link #signedSin},
 * made once per pass): the same products bit for bit (the sign moves from x2 to sin), in 4 ops
 * instead of 7.
 */
public final class RotaryEmbedding {
  private RotaryEmbedding() {}

  /** {@code 1 / theta^(arange(0, dim, 2) / dim)} [dim / 2], float32 on the CPU, as transformers computes it. */
  public static Tensor invFreq(int dim, double theta) {
    Tensor exps = torch.arange(new Scalar(0), new Scalar(dim), new Scalar(2), new TensorOptions(torch.ScalarType.Long))
        .to(torch.ScalarType.Float).div(new Scalar((float) dim));
    return torch.pow(new Scalar(theta), exps).reciprocal();
  }

  /** cat(-sin1, sin2) over the last dimension: the sin that {@link #apply} multiplies the rolled x by. */
  public static Tensor signedSin(Tensor sin) {
    long half = sin.size(-1) / 2;
    return Tensors.cat(-1, sin.narrow(-1, 0, half).neg(), sin.narrow(-1, half, half));
  }

  /** {@code x * cos + rotate_half(x) * sin} (cos and signedSin broadcast against x). */
  public static Tensor apply(Tensor x, Tensor cos, Tensor signedSin) {
    long half = x.size(-1) / 2;
    return x.mul(cos).add(x.roll(new long[] {half}, new long[] {-1}).mul(signedSin));
  }
}
