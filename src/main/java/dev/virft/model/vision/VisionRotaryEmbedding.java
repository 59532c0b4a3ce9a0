package dev.virft.model.vision;

import dev.virft.model.nn.RotaryEmbedding;
import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The vision towers' 2-D rotary embedding: the first half of each head's rotary frequencies turns with
 * the patch row, the second half with the patch column (transformers' {@code VisionRotaryEmbedding} and
 * {@code apply_rotary_pos_emb_vision}). Angles and the rotation are float32 whatever the compute dtype.
 */
final class VisionRotaryEmbedding {
  private static final double THETA = 10000.0;

  /** cos and signed sin ({@link RotaryEmbedding#apply}), {@code [seq, 1, headDim]} float32. */
  record CosSin(Tensor cos, Tensor signedSin) {}

  private VisionRotaryEmbedding() {}

  static CosSin of(VisionLayout layout, int headDim, Device device) {
    Tensor invFreq = RotaryEmbedding.invFreq(headDim / 2, THETA).unsqueeze(0);
    Tensor h = torch.tensor(layout.hpos).to(torch.ScalarType.Float).unsqueeze(1).mul(invFreq);
    Tensor w = torch.tensor(layout.wpos).to(torch.ScalarType.Float).unsqueeze(1).mul(invFreq);
    Tensor half = Tensors.cat(1, h, w);
    Tensor emb = Tensors.cat(1, half, half).to(device, torch.ScalarType.Float);
    return new CosSin(torch.cos(emb).unsqueeze(-2), RotaryEmbedding.signedSin(torch.sin(emb)).unsqueeze(-2));
  }

  /** Rotates {@code x [seq, heads, headDim]} in float32 and returns it in x's dtype. */
  static Tensor apply(Tensor x, CosSin cs) {
    torch.ScalarType dtype = x.scalar_type();
    return RotaryEmbedding.apply(x.to(torch.ScalarType.Float), cs.cos(), cs.signedSin()).to(dtype);
  }
}
