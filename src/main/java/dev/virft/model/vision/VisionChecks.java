package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.util.VirftException;

/** The constraints the towers need beyond what {@link QwenVLConfig} parsing already checks. */
final class VisionChecks {
  private VisionChecks() {}

  static VisionConfig validate(VisionConfig c, QwenVLConfig.Family expected) {
    String where = c.family().modelType + " vision_config";
    if (c.family() != expected) {
      throw new IllegalArgumentException("a " + expected.modelType + " tower needs a " + expected.modelType
          + " vision config, got " + c.family().modelType);
    }
    positive(where, "depth", c.depth());
    positive(where, "width (embed_dim / hidden_size)", c.embedDim());
    positive(where, "num_heads", c.numHeads());
    positive(where, "MLP width", c.intermediateSize());
    positive(where, "output width", c.outHiddenSize());
    positive(where, "patch_size", c.patchSize());
    positive(where, "temporal_patch_size", c.temporalPatchSize());
    positive(where, "in_channels", c.inChannels());
    positive(where, "spatial_merge_size", c.spatialMergeSize());
    if (c.embedDim() % c.numHeads() != 0 || c.headDim() % 4 != 0) {
      // The 2-D rotary gives each head an h half and a w half, each made of rotated pairs.
      throw new VirftException(where + ": width " + c.embedDim() + " / num_heads " + c.numHeads()
          + " must give a head dimension divisible by 4");
    }
    Activations.check(where + ": hidden_act", c.hiddenAct());
    if (c.family() == QwenVLConfig.Family.QWEN2_5_VL) {
      if (mergedWindow(c) < 1) {
        throw new VirftException(where + ": window_size " + c.windowSize()
            + " must be at least patch_size * spatial_merge_size = " + c.patchSize() * c.spatialMergeSize());
      }
      for (int i : c.fullattBlockIndexes()) {
        if (i < 0 || i >= c.depth()) {
          throw new VirftException(where + ": fullatt_block_indexes holds " + i
              + ", expected block indexes in [0, " + c.depth() + ")");
        }
      }
    }
    return c;
  }

  /** Window side in merged tokens (transformers' {@code vit_merger_window_size}). */
  static int mergedWindow(VisionConfig c) {
    return c.windowSize() / c.spatialMergeSize() / c.patchSize();
  }

  private static void positive(String where, String field, int value) {
    if (value <= 0) {
      throw new VirftException(where + ": " + field + " is " + value + ", expected a positive integer");
    }
  }
}
