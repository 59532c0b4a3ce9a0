package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.model.nn.Linear;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.nn.WeightCast;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code PatchMerger} / {@code Qwen2_5_VLPatchMerger}: the norm {@code ln_q}, then each
 * {@code m x m} block of patches concatenated and mapped by a GELU MLP to the language model's width.
 */
final class PatchMerger {
  private final VisionNorm lnQ;
  private final Linear mlp0;
  private final Linear mlp2;
  private final long mergedDim;

  PatchMerger(VisionConfig c, VisionNorm lnQ, WeightCast cast, WeightBinder b) {
    this.lnQ = lnQ;
    this.mergedDim = (long) c.embedDim() * c.spatialMergeSize() * c.spatialMergeSize();
    mlp0 = Linear.bind(cast, b, "mlp.0", mergedDim, mergedDim, true);
    mlp2 = Linear.bind(cast, b, "mlp.2", c.outHiddenSize(), mergedDim, true);
  }

  Tensor forward(Tensor x) {
    Tensor h = lnQ.forward(x).reshape(-1, mergedDim);
    return mlp2.forward(torch.gelu(mlp0.forward(h)));
  }
}
