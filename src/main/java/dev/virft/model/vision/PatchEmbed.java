package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.nn.WeightCast;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code PatchEmbed}: a Conv3d whose stride is its kernel, over one flattened patch per
 * row, which is a matmul with the flattened kernel.
 */
final class PatchEmbed {
  private final WeightCast cast;
  private final Tensor proj;
  private final long embedDim;
  private final long patchDim;

  PatchEmbed(VisionConfig c, WeightCast cast, WeightBinder b) {
    this.cast = cast;
    this.embedDim = c.embedDim();
    this.patchDim = c.patchDim();
    proj = b.take("proj.weight", c.embedDim(), c.inChannels(), c.temporalPatchSize(), c.patchSize(), c.patchSize());
  }

  /** {@code pixelValues} are moved to the weight's device and dtype. */
  Tensor forward(Tensor pixelValues) {
    Tensor w = cast.of(proj);
    return torch.linear(pixelValues.to(w.device(), w.scalar_type()), w.reshape(embedDim, patchDim));
  }
}
