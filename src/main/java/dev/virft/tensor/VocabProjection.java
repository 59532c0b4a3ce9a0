package dev.virft.tensor;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The decode step's vocabulary projection on the CPU: [B, H] x [V, H]^T for a handful of rows B.
 * A single {@code linear} over V = 151,936 rows packs the whole head (311 MB at H = 512) before
 * multiplying; slicing the head into blocks of about 1 MB that stay in cache while all B rows use
 * them measured 25 % faster on the 2-core box (docs/benchmarks.md, issue 13), with the same values
 * (the reduction over H is unchanged). No-grad only: {@code mm_out} writes into a preallocated output.
 */
public final class VocabProjection {
  /** Floats of head per block: about 1 MB, inside a core's L2. */
  static final long BLOCK_FLOATS = 256L * 1024;

  private VocabProjection() {}

  /** [B, V] float32 logits of {@code hidden} [B, H] against {@code weight} [V, H], both float32 CPU. */
  public static Tensor logits(Tensor hidden, Tensor weight) {
    long v = weight.size(0);
    long h = weight.size(1);
    long block = Math.max(64, BLOCK_FLOATS / h);
    Tensor hiddenT = hidden.t().contiguous();
    Tensor out = torch.empty(new long[] {v, hidden.size(0)}, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Float),
        new org.bytedeco.pytorch.MemoryFormatOptional());
    for (long s = 0; s < v; s += block) {
      long n = Math.min(block, v - s);
      torch.mm_out(out.narrow(0, s, n), weight.narrow(0, s, n), hiddenT);
    }
    return out.t().contiguous();
  }
}
