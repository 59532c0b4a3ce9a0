package dev.virft.model.vision;

import dev.virft.model.nn.Qwen2RMSNorm;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.nn.WeightCast;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** A vision block's or the merger's norm: {@code nn.LayerNorm} (Qwen2-VL) or {@code Qwen2RMSNorm} (Qwen2.5-VL). */
interface VisionNorm {
  double EPS = 1e-6;

  Tensor forward(Tensor x);

  /** Binds {@code NAME.weight} and {@code NAME.bias} of width {@code dim}. */
  static VisionNorm layerNorm(WeightCast cast, WeightBinder b, String name, long dim) {
    Tensor weight = b.take(name + ".weight", dim);
    Tensor bias = b.take(name + ".bias", dim);
    return x -> torch.layer_norm(x, new long[] {dim}, new TensorOptional(cast.of(weight)),
        new TensorOptional(cast.of(bias)), EPS, false);
  }

  /** Binds {@code NAME.weight} of width {@code dim}. */
  static VisionNorm rmsNorm(WeightCast cast, WeightBinder b, String name, long dim) {
    Tensor weight = b.take(name + ".weight", dim);
    return x -> Qwen2RMSNorm.forward(x, cast.of(weight), EPS);
  }
}
