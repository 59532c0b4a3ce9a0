package dev.virft.generation;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code TopKLogitsWarper}: only the k best scores stay. It runs before the temperature
 * here (transformers runs it after); dividing by a positive temperature keeps the order and the
 * divided values, so the result is the same while the division touches k columns instead of V.
 */
public final class TopKLogitsWarper implements LogitsWarper {
  /** Columns per block of the two-stage selection. */
  static final int BLOCK = 128;

  private final int k;

  public TopKLogitsWarper(int k) {
    this.k = k;
  }

  @Override
  public Candidates warp(Candidates c) {
    long width = c.scores().size(-1);
    if (k <= 0 || k >= width) {
      return c;
    }
    Tensor[] top = topK(c.scores(), k);
    return new Candidates(top[0], c.tokenIdsOfColumns(top[1]));
  }

  /**
   * The k largest scores of each row of [rows, V], sorted descending, and their columns. Over a large
   * vocabulary, in two stages: the maximum of each block of {@link #BLOCK} columns, the k blocks with
   * the largest maxima, then the k best of those k blocks. Exact: a row's k best scores lie in blocks
   * whose maximum is at least the k-th best score, and at most k blocks have such a maximum. A full
   * top-k over 151,936 columns costs about ten times as much.
   */
  static Tensor[] topK(Tensor scores, int k) {
    long rows = scores.size(0);
    long width = scores.size(-1);
    long blocks = (width + BLOCK - 1) / BLOCK;
    if ((long) k * 8 > blocks) {
      var top = torch.topk(scores, k);
      return new Tensor[] {top.get0(), top.get1()};
    }
    Tensor padded = width % BLOCK == 0 ? scores
        : torch.constant_pad_nd(scores, new long[] {0, blocks * BLOCK - width}, new Scalar(Float.NEGATIVE_INFINITY));
    Tensor byBlock = padded.view(rows, blocks, BLOCK);
    Tensor best = torch.topk(byBlock.amax(new long[] {-1}, false), k, -1, true, false).get1(); // [rows, k]
    Tensor picked = byBlock.gather(1, best.unsqueeze(-1).expand(rows, k, BLOCK)).view(rows, (long) k * BLOCK);
    var top = torch.topk(picked, k);
    Tensor at = top.get1();
    Tensor block = best.gather(1, at.floor_divide(new Scalar(BLOCK)));
    Tensor column = block.mul(new Scalar(BLOCK)).add(at.remainder(new Scalar(BLOCK)));
    return new Tensor[] {top.get0(), column};
  }
}
