package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.nn.WeightCast;

/**
 * Qwen2-VL's vision encoder (transformers' {@code Qwen2VisionTransformerPretrainedModel}): LayerNorm
 * blocks with an fc1 / {@code hidden_act} / fc2 MLP, attention over each whole frame, and a LayerNorm +
 * GELU-MLP merger.
 */
public final class Qwen2VisionTransformer extends VisionTransformer {
  Qwen2VisionTransformer(VisionConfig config, WeightCast cast, WeightBinder b) {
    super(VisionChecks.validate(config, QwenVLConfig.Family.QWEN2_VL), cast, b, VisionNorm::layerNorm,
        VisionMlp::plain, 0);
  }
}
