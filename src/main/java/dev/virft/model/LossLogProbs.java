package dev.virft.model;

import java.util.function.Consumer;
import org.bytedeco.pytorch.Tensor;

/**
 * Completion log-probs [G, T] for a loss, with how to take that loss's gradient back through the model:
 * build the loss on {@link #logps} and call {@link #backward(Tensor)} instead of {@code loss.backward()}
 * (the head's part may be done by hand, {@link TokenLogProbs}).
 */
public final class LossLogProbs {
  private final Tensor logps;
  private final Consumer<Tensor> backward;

  public LossLogProbs(Tensor logps, Consumer<Tensor> backward) {
    this.logps = logps;
    this.backward = backward;
  }

  /** Log-probs whose graph is autograd's own: {@link #backward} is {@code loss.backward()}. */
  public static LossLogProbs autograd(Tensor logps) {
    return new LossLogProbs(logps, Tensor::backward);
  }

  public Tensor logps() {
    return logps;
  }

  /** Fills the gradients of every parameter the log-probs depend on, from {@code loss} (a scalar). */
  public void backward(Tensor loss) {
    backward.accept(loss);
  }
}
