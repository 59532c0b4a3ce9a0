package dev.virft.model.nn;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A linear module ({@code nn.Linear}) over float32 masters bound at load: its weight and bias are seen
 * in the compute dtype through a {@link WeightCast} (the language model's {@link ComputeWeights}), and with a LoRA adapter attached it computes
 * {@code W x + b + (alpha / r) B A x}, as PEFT's {@code lora.Linear}.
 */
public final class Linear {
  /** A LoRA adapter on one linear module (its A [r, in] and B [out, r] masters). */
  public interface Adapter {
    /** False while the adapters are switched off (the base model computes alone). */
    boolean active();

    Tensor loraA();

    Tensor loraB();

    double scaling();
  }

  private final WeightCast weights;
  private final String module;
  private final Tensor weight;
  private final Tensor bias; // null without one
  private Adapter adapter; // null without LoRA

  public Linear(WeightCast weights, String module, Tensor weight, Tensor bias) {
    this.weights = weights;
    this.module = module;
    this.weight = weight;
    this.bias = bias;
  }

  /** Binds {@code MODULE.weight} [out, in] (and {@code MODULE.bias} [out]) of a module path. */
  public static Linear bind(WeightCast weights, WeightBinder b, String module, long out, long in, boolean bias) {
    Tensor w = b.take(module + ".weight", out, in);
    Tensor bs = bias ? b.take(module + ".bias", out) : null;
    return new Linear(weights, b.path(module), w, bs);
  }

  /** The module's hub path (e.g. {@code model.layers.0.self_attn.q_proj}), which LoRA targets. */
  public String module() {
    return module;
  }

  public Tensor weight() {
    return weight;
  }

  public Tensor bias() {
    return bias;
  }

  public void setAdapter(Adapter adapter) {
    this.adapter = adapter;
  }

  public Tensor forward(Tensor x) {
    Tensor packed = weights.packedProduct(x, weight, weight);
    Tensor y = packed != null
        ? (bias != null ? packed.add_(weights.of(bias)) : packed)
        : bias != null
        ? torch.linear(x, weights.of(weight), new TensorOptional(weights.of(bias)))
        : torch.linear(x, weights.of(weight));
    if (adapter != null && adapter.active()) {
      Tensor down = torch.linear(x, weights.of(adapter.loraA()));
      Tensor delta = torch.linear(down, weights.of(adapter.loraB()));
      y = y.add(delta, new Scalar(adapter.scaling()));
    }
    return y;
  }

  /**
   * A fused projection's share of this module's adapter: adds (alpha / r) (x Aᵀ) Bᵀ to the columns
   * [offset, offset + width) of {@code fusedOut}, in place (nothing records gradients there).
   */
  void addAdapterInPlace(Tensor fusedOut, Tensor x, long offset) {
    if (adapter != null && adapter.active()) {
      Tensor delta = torch.linear(torch.linear(x, weights.of(adapter.loraA())), weights.of(adapter.loraB()));
      fusedOut.narrow(-1, offset, weight.size(0)).add_(delta, new Scalar(adapter.scaling()));
    }
  }
}
