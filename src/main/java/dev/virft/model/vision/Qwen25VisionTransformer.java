package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.nn.WeightCast;

/**
 * Qwen2.5-VL's vision encoder (transformers' {@code Qwen2_5_VisionTransformerPretrainedModel}): RMSNorm
 * blocks with a SwiGLU MLP, attention within {@code window_size}-pixel windows except in
 * {@code fullatt_block_indexes}, and an RMSNorm + GELU-MLP merger.
 *
 * <p>transformers permutes the sequence into window order before the blocks and back after the merger.
 * Every operation but attention acts per patch (the merger per merge block, which the permutation moves
 * whole), so this keeps the processor's order throughout and lets the attention gather each window's
 * patches in window order instead: the same result, without the two permutations of the activations.
 */
public final class Qwen25VisionTransformer extends VisionTransformer {
  Qwen25VisionTransformer(VisionConfig config, WeightCast cast, WeightBinder b) {
    super(VisionChecks.validate(config, QwenVLConfig.Family.QWEN2_5_VL), cast, b, VisionNorm::rmsNorm,
        VisionMlp::gated, VisionChecks.mergedWindow(config));
  }
}
