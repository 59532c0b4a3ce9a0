package dev.virft.rl;

import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * The original's completion mask (spec §4.2 step 3): a token counts up to <em>and including</em> the
 * first stop token; everything after it (padding) is masked. A completion without a stop token is
 * unmasked over its full length (it was truncated at max_completion_length).
 */
public final class CompletionMask {
  private CompletionMask() {}

  /** Mask as float32 {@code [B, T]} for completion ids {@code [B, T]}. */
  public static Tensor of(Tensor completionIds, long[] stopIds) {
    long rows = completionIds.size(0);
    long cols = completionIds.size(1);
    return Tensors.floats(ofRows(Tensors.toLongs(completionIds), (int) rows, (int) cols, stopIds), rows, cols);
  }

  static float[] ofRows(long[] ids, int rows, int cols, long[] stopIds) {
    float[] mask = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      int len = lengthOf(ids, r * cols, cols, stopIds);
      for (int c = 0; c < len; c++) {
        mask[r * cols + c] = 1f;
      }
    }
    return mask;
  }

  /** Number of unmasked tokens of one row: index of the first stop token + 1, else the row length. */
  public static int lengthOf(long[] ids, int offset, int cols, long[] stopIds) {
    for (int c = 0; c < cols; c++) {
      for (long s : stopIds) {
        if (ids[offset + c] == s) {
          return c + 1;
        }
      }
    }
    return cols;
  }

  /** True when the row contains no stop token, i.e. generation hit the length limit. */
  public static boolean truncated(long[] ids, int offset, int cols, long[] stopIds) {
    for (int c = 0; c < cols; c++) {
      for (long s : stopIds) {
        if (ids[offset + c] == s) {
          return false;
        }
      }
    }
    return true;
  }
}
