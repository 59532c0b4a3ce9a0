package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig.VisionConfig;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;

/**
 * A Qwen vision encoder: image patches in, one embedding per merged {@code m x m} block of patches out,
 * in the order the language model's {@code <|image_pad|>} tokens expect them. Differentiable with
 * respect to its weights (autograd records the whole forward).
 */
public interface VisionTower {
  /**
   * @param pixelValues {@code [sum(t*h*w), C*T*P*P]} float, rows in the image processor's order; moved
   *     to the weights' device and dtype
   * @param gridThw one {@code [t, h, w]} per image, in patches
   * @return {@code [sum(t*h*w) / merge², outHiddenSize]} in the weights' dtype
   */
  Tensor forward(Tensor pixelValues, long[][] gridThw);

  VisionConfig config();

  /**
   * Builds the tower for {@code config.family()}. {@code weights} maps a full hub name such as
   * {@code visual.blocks.0.attn.qkv.weight} to its tensor; it is asked for every name (and each shape
   * checked) here, and asked again on every forward, so it may hand out fresh tensors (e.g. bf16 casts of
   * float32 masters) between steps.
   */
  static VisionTower create(VisionConfig config, Function<String, Tensor> weights) {
    return switch (config.family()) {
      case QWEN2_VL -> new Qwen2VisionTransformer(config, weights);
      case QWEN2_5_VL -> new Qwen25VisionTransformer(config, weights);
    };
  }

  /** Every parameter of the tower: hub name ({@code visual.*}) to shape, in transformers' order. */
  static Map<String, long[]> parameterShapes(VisionConfig config) {
    return switch (config.family()) {
      case QWEN2_VL -> Qwen2VisionTransformer.parameterShapes(config);
      case QWEN2_5_VL -> Qwen25VisionTransformer.parameterShapes(config);
    };
  }
}
