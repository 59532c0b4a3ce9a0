package dev.virft.model.text;

import org.bytedeco.pytorch.Tensor;

/** Where a decoder layer's attention puts this pass's keys and values and reads those it attends over. */
public interface KeyValues {
  /**
   * Takes this pass's keys/values ([B, kvHeads, L, D]) of {@code layer}; returns the keys and values
   * the pass attends over (earlier ones first).
   */
  Tensor[] append(int layer, Tensor k, Tensor v);
}
