package dev.virft.model.vision;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The vision towers' 2-D rotary embedding: the first half of each head's rotary frequencies turns with
 * the patch row, the second half with the patch column (transformers' {@code VisionRotaryEmbedding} and
 * {@code apply_rotary_pos_emb_vision}). Angles and the rotation are float32 whatever the compute dtype.
 */
final class VisionRotary {
  private static final double THETA = 10000.0;

  /** cos and sin, {@code [seq, headDim]} float32. */
  record CosSin(Tensor cos, Tensor sin) {}

  private VisionRotary() {}

  static CosSin of(VisionLayout layout, int headDim, Device device) {
    int dim = headDim / 2;
    // inv_freq = 1 / theta^(arange(0, dim, 2) / dim), float32 as transformers computes it
    Tensor exponents = torch.arange(new Scalar(0), new Scalar(dim), new Scalar(2))
        .to(torch.ScalarType.Float).div(new Scalar((double) dim));
    Tensor invFreq = torch.pow(new Scalar(THETA), exponents).reciprocal().unsqueeze(0);
    Tensor h = torch.tensor(layout.hpos).to(torch.ScalarType.Float).unsqueeze(1).mul(invFreq);
    Tensor w = torch.tensor(layout.wpos).to(torch.ScalarType.Float).unsqueeze(1).mul(invFreq);
    Tensor half = torch.cat(vec(h, w), 1);
    Tensor emb = torch.cat(vec(half, half), 1).to(device, torch.ScalarType.Float);
    return new CosSin(torch.cos(emb), torch.sin(emb));
  }

  /** Rotates {@code x [seq, heads, headDim]} in float32 and returns it in x's dtype. */
  static Tensor apply(Tensor x, CosSin cs) {
    torch.ScalarType dtype = x.scalar_type();
    Tensor xf = x.to(torch.ScalarType.Float);
    Tensor cos = cs.cos().unsqueeze(-2);
    Tensor sin = cs.sin().unsqueeze(-2);
    long half = xf.size(-1) / 2;
    Tensor x1 = xf.narrow(-1, 0, half);
    Tensor x2 = xf.narrow(-1, half, half);
    Tensor rotated = torch.cat(vec(x2.neg(), x1), -1);
    Tensor out = xf.mul(cos).add(rotated.mul(sin));
    return out.to(dtype);
  }

  static TensorVector vec(Tensor... ts) {
    TensorVector v = new TensorVector();
    for (Tensor t : ts) {
      v.push_back(t);
    }
    return v;
  }
}
