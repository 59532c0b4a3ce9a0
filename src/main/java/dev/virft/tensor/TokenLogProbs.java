package dev.virft.tensor;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * log p(token) under logits [B, T, V]: {@code logits[token] - logsumexp(logits)}, TRL's
 * {@code selective_log_softmax}. Equal to gathering from {@code log_softmax} (to float rounding) but
 * without its [B, T, V] output: a vocabulary of 151,936 makes that the largest activation of a GRPO
 * step (8 x 64 completion positions: 311 MB), and its write, gather and backward the slowest
 * elementwise work after the head itself.
 */
public final class TokenLogProbs {
  private TokenLogProbs() {}

  /** [B, T] log-probabilities of {@code targets} [B, T] (int64, on the logits' device). */
  public static Tensor of(Tensor logits, Tensor targets) {
    Tensor picked = torch.gather(logits, 2, targets.unsqueeze(-1)).squeeze(-1);
    return torch.sub(picked, torch.logsumexp(logits, new long[] {-1}, false));
  }
}
