package dev.virft.model.nn;

import org.bytedeco.pytorch.Tensor;

/** How a module sees its master weights in the pass's compute dtype. */
@FunctionalInterface
public interface WeightCast {
  Tensor of(Tensor master);

  /**
   * The masters (one projection's, concatenated along dim 0) packed for a few-row product of
   * {@code x}, or null when {@code x} should go through libtorch's product instead.
   */
  default dev.virft.tensor.PanelLinear packedFor(Tensor x, Object key, Tensor... masters) {
    return null;
  }
}
