package dev.virft.model.text;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.nn.ComputeWeights;
import dev.virft.model.nn.FusedLinear;
import dev.virft.model.nn.Linear;
import dev.virft.model.nn.WeightBinder;
import dev.virft.tensor.Device;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code Qwen2MLP}: {@code down_proj(silu(gate_proj(x)) * up_proj(x))}. Gate and up are
 * one projection in no-grad passes in a narrower compute dtype (bf16 generation, reference and
 * old-policy log-probs); in float32 fusing them would add two narrows and a copy of the MLP's largest
 * weights for nothing, and training passes keep transformers' modules one to one.
 */
public final class Qwen2MLP {
  private final FusedLinear gateUpProj;
  private final Linear downProj;

  Qwen2MLP(QwenVLConfig.TextConfig t, ComputeWeights weights, WeightBinder b) {
    long h = t.hiddenSize();
    long inter = t.intermediateSize();
    Device device = weights.device();
    gateUpProj = new FusedLinear(weights,
        () -> !GradMode.is_enabled() && device.computeType().intern() != torch.ScalarType.Float,
        Linear.bind(weights, b, "gate_proj", inter, h, false),
        Linear.bind(weights, b, "up_proj", inter, h, false));
    downProj = Linear.bind(weights, b, "down_proj", h, inter, false);
  }

  Linear[] linears() {
    return new Linear[] {gateUpProj.part(0), gateUpProj.part(1), downProj};
  }

  Tensor forward(Tensor x) {
    FusedLinear.Output gateUp = gateUpProj.forward(x);
    Tensor gate = torch.silu(gateUp.part(0));
    return downProj.forward(gate.mul(gateUp.part(1)));
  }
}
