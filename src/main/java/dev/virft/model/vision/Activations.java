package dev.virft.model.vision;

import dev.virft.util.VirftException;
import java.util.Set;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** transformers' {@code ACT2FN} names that Qwen vision configs use, as libtorch ops. */
final class Activations {
  private static final Set<String> KNOWN =
      Set.of("quick_gelu", "gelu", "gelu_pytorch_tanh", "gelu_new", "silu", "swish", "relu");

  private Activations() {}

  static void check(String where, String name) {
    if (!KNOWN.contains(name)) {
      throw new VirftException(where + " is '" + name + "', expected one of " + KNOWN);
    }
  }

  static Tensor apply(String name, Tensor x) {
    return switch (name) {
      // QuickGELUActivation: x * sigmoid(1.702 x)
      case "quick_gelu" -> x.mul(torch.sigmoid(x.mul(new Scalar(1.702))));
      case "gelu" -> torch.gelu(x);
      case "gelu_pytorch_tanh", "gelu_new" -> torch.gelu(x, "tanh");
      case "silu", "swish" -> torch.silu(x);
      case "relu" -> torch.relu(x);
      default -> throw new VirftException("vision_config.hidden_act is '" + name + "', expected one of " + KNOWN);
    };
  }
}
