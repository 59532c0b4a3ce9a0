package dev.virft.model.text;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.nn.RotaryEmbedding;
import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code Qwen2VLRotaryEmbedding} with {@code apply_multimodal_rotary_pos_emb}'s channel
 * split: the frequencies of each of the three M-RoPE position axes, with channel chunks
 * ({@code mrope_section}, repeated for both halves) taken from axis {@code chunk % 3}.
 */
public final class MultimodalRotaryEmbedding {
  private final int[] mropeSection;
  private final Device device;
  /**
   * [headDim/2], kept on the host: a tensor made here would belong to whatever PointerScope is open
   * when the model is built or rebound (LoRA attach, merge, freeze) and be freed with it.
   */
  private final float[] invFreq;

  MultimodalRotaryEmbedding(QwenVLConfig.TextConfig t, Device device) {
    this.mropeSection = t.mropeSection();
    this.device = device;
    try (PointerScope scope = new PointerScope()) {
      this.invFreq = Tensors.toFloats(RotaryEmbedding.invFreq(t.headDim(), t.ropeTheta()));
    }
  }

  /** cos and signed sin ({@link RotaryEmbedding#apply}) [B, 1, L, headDim] in compute dtype for positions [3, B, L]. */
  public Tensor[] forward(Tensor positions) {
    // freqs[a, b, l, f] = positions[a, b, l] * invFreq[f], in float32 like transformers.
    Tensor inv = Tensors.floats(invFreq, invFreq.length).to(device.torchDevice(), torch.ScalarType.Float);
    Tensor freqs = positions.to(torch.ScalarType.Float).unsqueeze(-1).mul(inv);
    Tensor emb = Tensors.cat(-1, freqs, freqs); // [3, B, L, D]
    Tensor cos = emb.cos();
    Tensor sin = emb.sin();
    int[] sec = mropeSection;
    Tensor[] cosParts = new Tensor[sec.length * 2];
    Tensor[] sinParts = new Tensor[sec.length * 2];
    long offset = 0;
    for (int i = 0; i < sec.length * 2; i++) {
      int size = sec[i % sec.length];
      cosParts[i] = cos.select(0, i % 3).narrow(-1, offset, size);
      sinParts[i] = sin.select(0, i % 3).narrow(-1, offset, size);
      offset += size;
    }
    Tensor c = Tensors.cat(-1, cosParts).unsqueeze(1).to(device.computeType());
    Tensor s = Tensors.cat(-1, sinParts).unsqueeze(1).to(device.computeType());
    return new Tensor[] {c, RotaryEmbedding.signedSin(s)};
  }
}
