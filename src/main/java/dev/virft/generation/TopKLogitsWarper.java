package dev.virft.generation;

import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code TopKLogitsWarper}: only the k best scores stay. It runs before the temperature
 * here (transformers runs it after); dividing by a positive temperature keeps the order and the
 * divided values, so the result is the same while the division touches k columns instead of V.
 */
public final class TopKLogitsWarper implements LogitsWarper {
  private final int k;

  public TopKLogitsWarper(int k) {
    this.k = k;
  }

  @Override
  public Candidates warp(Candidates c) {
    if (k <= 0 || k >= c.scores().size(-1)) {
      return c;
    }
    var top = torch.topk(c.scores(), k);
    return new Candidates(top.get0(), c.tokenIdsOfColumns(top.get1()));
  }
}
