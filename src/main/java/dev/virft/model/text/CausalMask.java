package dev.virft.model.text;

import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The decoder's additive attention mask (transformers' causal mask with padding): 0 where a query may
 * see a key, the compute dtype's most negative finite number elsewhere, as transformers builds it, so
 * that fully padded query rows behave like the reference (uniform attention) instead of producing NaN.
 */
public final class CausalMask {
  private CausalMask() {}

  /** The blocked value: the compute dtype's most negative finite number. */
  public static float blocked(Device device) {
    return device.computeType() == torch.ScalarType.BFloat16 ? -3.3895313892515355e38f : -Float.MAX_VALUE;
  }

  /**
   * [B, 1, L, K]: 0 where query i may see key j (key not padding, j <= past + i), blocked elsewhere.
   * K >= past + L; keys beyond past + L (an unwritten cache tail) are blocked.
   *
   * @param mask [B][past + L] the attention mask (1 = real token)
   */
  public static Tensor additive(long[][] mask, int past, int l, int k, Device device) {
    int b = mask.length;
    long[] flat = new long[b * k];
    for (int i = 0; i < b; i++) {
      System.arraycopy(mask[i], 0, flat, i * k, past + l);
    }
    org.bytedeco.pytorch.Device dev = device.torchDevice();
    Tensor keyOk = Tensors.longs(flat, b, 1, 1, k).to(dev, torch.ScalarType.Long).eq(new Scalar(1));
    TensorOptions lo = new TensorOptions(torch.ScalarType.Long);
    Tensor qi = torch.arange(new Scalar(past), new Scalar(past + l), lo).view(1, 1, l, 1).to(dev, torch.ScalarType.Long);
    Tensor kj = torch.arange(new Scalar(0), new Scalar(k), lo).view(1, 1, 1, k).to(dev, torch.ScalarType.Long);
    Tensor allowed = kj.le(qi).logical_and(keyOk);
    TensorOptions fo = new TensorOptions(device.computeType())
        .device(new org.bytedeco.pytorch.DeviceOptional(dev));
    return torch.zeros(new long[] {b, 1, l, k}, fo)
        .masked_fill(allowed.logical_not(), new Scalar((double) blocked(device)));
  }
}
