package dev.virft.model;

import dev.virft.model.nn.ComputeWeights;
import dev.virft.model.nn.WeightBinder;
import dev.virft.tensor.Device;
import java.util.Map;

/**
 * Every parameter of a Qwen2-VL / Qwen2.5-VL model by its hub name (the names users download:
 * {@code model.layers.*}, {@code visual.*}, {@code lm_head.*}) with its shape, in transformers'
 * module order: what the modules bind ({@link QwenVLModel}'s binding run over
 * {@link WeightBinder#layout}). Loading checks checkpoints against it; random init and saving follow it.
 */
public final class WeightLayout {
  private WeightLayout() {}

  /** Hub names -> shapes; {@code lm_head.weight} only when embeddings are not tied. */
  public static Map<String, long[]> of(QwenVLConfig cfg) {
    WeightBinder b = WeightBinder.layout();
    QwenVLModel.Modules.bind(cfg, new ComputeWeights(Device.CPU), b);
    return b.shapes();
  }

  /** transformers-5 names -> hub names; other names unchanged. */
  public static String hubName(String name) {
    if (name.startsWith("model.language_model.")) {
      return "model." + name.substring("model.language_model.".length());
    }
    if (name.startsWith("model.visual.")) {
      return "visual." + name.substring("model.visual.".length());
    }
    return name;
  }
}
