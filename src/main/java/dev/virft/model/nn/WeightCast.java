package dev.virft.model.nn;

import org.bytedeco.pytorch.Tensor;

/** How a module sees its master weights in the pass's compute dtype. */
@FunctionalInterface
public interface WeightCast {
  Tensor of(Tensor master);

  /**
   * {@code x} times the masters (one projection's, concatenated along dim 0) transposed, through a
   * packed copy kept under {@code key}; null when this product should go through libtorch's instead.
   */
  default Tensor packedProduct(Tensor x, Object key, Tensor... masters) {
    return null;
  }
}
