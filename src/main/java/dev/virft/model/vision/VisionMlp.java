package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig.VisionConfig;
import dev.virft.model.nn.Linear;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.nn.WeightCast;
import org.bytedeco.pytorch.Tensor;

/** A vision block's MLP: transformers' {@code VisionMlp} (Qwen2-VL) or {@code Qwen2_5_VLMLP} (gated). */
interface VisionMlp {
  Tensor forward(Tensor x);

  /** {@code fc2(act(fc1(x)))}. */
  static VisionMlp plain(VisionConfig c, WeightCast cast, WeightBinder b) {
    long e = c.embedDim();
    long i = c.intermediateSize();
    Linear fc1 = Linear.bind(cast, b, "fc1", i, e, true);
    Linear fc2 = Linear.bind(cast, b, "fc2", e, i, true);
    String act = c.hiddenAct();
    return x -> fc2.forward(Activations.apply(act, fc1.forward(x)));
  }

  /** {@code down_proj(act(gate_proj(x)) * up_proj(x))}. */
  static VisionMlp gated(VisionConfig c, WeightCast cast, WeightBinder b) {
    long e = c.embedDim();
    long i = c.intermediateSize();
    Linear gate = Linear.bind(cast, b, "gate_proj", i, e, true);
    Linear up = Linear.bind(cast, b, "up_proj", i, e, true);
    Linear down = Linear.bind(cast, b, "down_proj", e, i, true);
    String act = c.hiddenAct();
    return x -> down.forward(Activations.apply(act, gate.forward(x)).mul(up.forward(x)));
  }
}
