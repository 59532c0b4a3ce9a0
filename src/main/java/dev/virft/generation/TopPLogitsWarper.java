package dev.virft.generation;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code TopPLogitsWarper}: drops the low tail whose total probability is at most
 * 1 - top_p, always keeping the most likely token.
 */
public final class TopPLogitsWarper implements LogitsWarper {
  private final double topP;

  public TopPLogitsWarper(double topP) {
    this.topP = topP;
  }

  @Override
  public Candidates warp(Candidates c) {
    if (topP >= 1.0) {
      return c;
    }
    Tensor scores = c.scores();
    long width = scores.size(-1);
    var sorted = torch.sort(scores, -1, false);
    Tensor cum = sorted.get0().softmax(-1).cumsum(-1);
    Tensor remove = cum.le(new Scalar(1.0 - topP));
    remove.narrow(-1, width - 1, 1).fill_(new Scalar(0));
    Tensor removeOrig = torch.zeros_like(remove).scatter(-1, sorted.get1(), remove);
    return new Candidates(scores.masked_fill(removeOrig, new Scalar(Float.NEGATIVE_INFINITY)), c.ids());
  }
}
