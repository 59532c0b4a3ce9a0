package dev.virft.model.nn;

import org.bytedeco.pytorch.Tensor;

/** How a module sees its master weights in the pass's compute dtype. */
@FunctionalInterface
public interface WeightCast {
  Tensor of(Tensor master);
}
