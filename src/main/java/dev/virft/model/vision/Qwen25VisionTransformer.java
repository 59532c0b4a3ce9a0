package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.nn.WeightCast;
import java.util.Set;
import java.util.TreeSet;

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
  private final Set<Integer> fullAttention = new TreeSet<>();

  Qwen25VisionTransformer(VisionConfig config, WeightCast cast, WeightBinder b) {
    super(VisionChecks.validate(config, QwenVLConfig.Family.QWEN2_5_VL), cast, b);
    for (int i : config.fullattBlockIndexes()) {
      fullAttention.add(i);
    }
  }

  @Override
  VisionNorm norm(WeightCast cast, WeightBinder b, String name) {
    return VisionNorm.rmsNorm(cast, b, name, config.embedDim());
  }

  @Override
  VisionMlp mlp(WeightCast cast, WeightBinder b) {
    return VisionMlp.gated(config, cast, b);
  }

  @Override
  boolean windowed(int block) {
    return !fullAttention.contains(block);
  }

  @Override
  int mergedWindow() {
    return VisionChecks.mergedWindow(config);
  }
}
