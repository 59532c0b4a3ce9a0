package dev.virft.model;

import dev.virft.tensor.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Log-probabilities of given tokens under the vocabulary head, {@code log_softmax(h W^T)[token]},
 * computed in one {@code [rows, vocab]} float32 buffer that lives as long as the model, with the
 * gradient written by hand.
 *
 * <p>Why not autograd's {@code log_softmax} + {@code gather}: their forward and backward make five
 * fresh {@code [rows, vocab]} tensors per pass (logits, log-probs, gather's zeros, log_softmax's
 * gradient, the head's weight gradient). Above glibc's mmap threshold (32 MB) every one of them is new
 * memory from the kernel, and on the 2-core box the page faults that zero such tensors (these, and the
 * dense embedding gradients, see {@code Qwen2Model.embed}) took more than half of the 113 M config's
 * policy pass (perf: 56 % of the main thread in {@code clear_page_erms} and the fault path) and two
 * thirds of its reference pass. Here the buffer's pages are touched once per run; the
 * backward reuses it for the logits' gradient and accumulates the head's gradient in place.
 *
 * <p>The same arithmetic as {@code log_softmax}: {@code x - max - log(sum(exp(x - max)))}, and
 * {@code d logp / d x = onehot(token) - softmax(x)}. CPU float32 only ({@link #applies}); other
 * devices and dtypes keep autograd's path.
 */
final class TokenLogProbs implements AutoCloseable {
  private Tensor buffer; // float32, grown only; outlives every PointerScope (retained)

  /** Whether passes on {@code device} with this compute-dtype {@code head} take this path. */
  static boolean applies(Device device, Tensor head) {
    return device == Device.CPU && head.scalar_type().intern() == torch.ScalarType.Float;
  }

  /** Log-probs [N] of {@code tokens} [N] after rows {@code hidden} [N, H]; no gradient. */
  Tensor values(Tensor hidden, Tensor head, Tensor tokens) {
    try (NoGradGuard ng = new NoGradGuard()) {
      return softmaxInBuffer(hidden.detach(), head.detach(), tokens, false);
    }
  }

  /**
   * As {@link #values}, for a loss: the log-probs come back as a leaf that requires grad; after the
   * loss's backward has filled its gradient, {@link Pending#backward} takes it through the head (into
   * {@code head}'s {@code .grad}, when it requires grad) and on into {@code hidden}'s graph.
   */
  Pending forLoss(Tensor hidden, Tensor head, Tensor tokens) {
    Tensor logps;
    try (NoGradGuard ng = new NoGradGuard()) {
      logps = softmaxInBuffer(hidden.detach(), head.detach(), tokens, true);
    }
    logps.requires_grad_(true);
    return new Pending(logps, hidden, head, tokens);
  }

  /**
   * Leaves softmax(h W^T) in the buffer's first N rows when {@code keepProbs}, else exp(x - max);
   * returns the tokens' log-probs.
   */
  private Tensor softmaxInBuffer(Tensor h, Tensor w, Tensor tokens, boolean keepProbs) {
    long n = h.size(0);
    Tensor x = rows(n, w.size(0));
    torch.mm_out(x, h, w.t());
    Tensor max = x.amax(new long[] {-1}, true);
    x.sub_(max);
    Tensor picked = x.gather(1, tokens.unsqueeze(1));
    x.exp_();
    Tensor sum = x.sum(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
    if (keepProbs) {
      x.div_(sum);
    }
    return picked.sub(sum.log()).squeeze(1);
  }

  private Tensor rows(long n, long vocab) {
    if (buffer == null || buffer.size(0) < n || buffer.size(1) != vocab) {
      if (buffer != null) {
        buffer.releaseReference();
      }
      buffer = torch.empty(new long[] {n, vocab}, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Float),
          new org.bytedeco.pytorch.MemoryFormatOptional());
      buffer.retainReference();
    }
    return buffer.narrow(0, 0, n);
  }

  /** Bytes held by the buffer (the bench's memory breakdown). */
  long bytes() {
    return buffer == null ? 0 : buffer.numel() * 4;
  }

  @Override
  public void close() {
    if (buffer != null) {
      buffer.releaseReference();
      buffer = null;
    }
  }

  /** Log-probs waiting for their loss's gradient; valid until the buffer's next use. */
  final class Pending {
    private final Tensor logps;
    private final Tensor hidden;
    private final Tensor head;
    private final Tensor tokens;

    private Pending(Tensor logps, Tensor hidden, Tensor head, Tensor tokens) {
      this.logps = logps;
      this.hidden = hidden;
      this.head = head;
      this.tokens = tokens;
    }

    /** [N], a leaf that requires grad: the loss is built on it. */
    Tensor logps() {
      return logps;
    }

    /** {@code loss.backward()}, then the head's part of the gradient and the rest of the graph's. */
    void backward(Tensor loss) {
      loss.backward();
      Tensor g = logps.grad();
      if (g == null || !g.defined()) {
        return; // the loss did not depend on these log-probs
      }
      Tensor gradHidden;
      try (NoGradGuard ng = new NoGradGuard()) {
        long n = logps.size(0);
        Tensor p = rows(n, head.size(0));
        // d loss / d logits = g * (onehot(token) - softmax), written over the probabilities.
        p.mul_(g.neg().unsqueeze(1));
        p.scatter_add_(1, tokens.unsqueeze(1), g.unsqueeze(1));
        gradHidden = p.mm(head.detach());
        if (head.requires_grad()) {
          Tensor acc = head.grad();
          if (acc == null || !acc.defined()) {
            head.mutable_grad().put(p.t().mm(hidden.detach()));
          } else {
            acc.addmm_(p.t(), hidden.detach(), new Scalar(1.0), new Scalar(1.0));
          }
        }
      }
      if (hidden.requires_grad()) {
        hidden.backward(gradHidden, new org.bytedeco.pytorch.BoolOptional(), false,
            new org.bytedeco.pytorch.TensorArrayRefOptional());
      }
    }
  }
}
