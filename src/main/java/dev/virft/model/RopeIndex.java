package dev.virft.model;

import dev.virft.util.VirftException;

/**
 * Multimodal rotary positions (M-RoPE) of a left-padded batch, as transformers' {@code get_rope_index}
 * computes them: text tokens count up on all three axes; the {@code grid_t·(grid_h/m)·(grid_w/m)} pads
 * of an image get (t, h, w) offsets from the position after the preceding text; text after an image
 * resumes at the largest position so far plus one. Padding gets position 0 (transformers 5: the
 * multimodal path fills only real tokens), or 1 in a text-only batch (transformers' cumsum rule).
 * The delta of a row is its largest position + 1 - its number of real tokens, so the k-th real token
 * after the prompt sits at {@code realTokens + k + delta}. Plain Java because it is bookkeeping on a
 * few thousand integers, not tensor math.
 */
public final class RopeIndex {
  /** positions[axis][row][col] with axis 0..2 = (t, h, w); deltas[row] = max position + 1 - real tokens. */
  public record Result(long[][][] positions, long[] deltas) {
    /** Row-major [3 * B * L] for building a [3, B, L] tensor. */
    public long[] flat() {
      int b = positions[0].length;
      int l = b == 0 ? 0 : positions[0][0].length;
      long[] out = new long[3 * b * l];
      for (int a = 0; a < 3; a++) {
        for (int i = 0; i < b; i++) {
          System.arraycopy(positions[a][i], 0, out, (a * b + i) * l, l);
        }
      }
      return out;
    }
  }

  private RopeIndex() {}

  /**
   * @param inputIds [B][L] token ids
   * @param attentionMask [B][L] 1 for real tokens, 0 for padding (null: all real)
   * @param imageGridThw [numImages][3] in the order the images appear in the batch (null: none)
   */
  public static Result compute(
      QwenVLConfig cfg, long[][] inputIds, long[][] attentionMask, long[][] imageGridThw) {
    int batch = inputIds.length;
    int len = batch == 0 ? 0 : inputIds[0].length;
    long merge = cfg.vision().spatialMergeSize();
    long[][][] pos = new long[3][batch][len];
    long[] deltas = new long[batch];
    int imageIndex = 0;
    long padPosition = imageGridThw == null ? 1 : 0;
    for (int b = 0; b < batch; b++) {
      // The real tokens of this row, and where they sit in the padded row.
      int[] where = new int[len];
      int n = 0;
      for (int j = 0; j < len; j++) {
        if (attentionMask == null || attentionMask[b][j] == 1) {
          where[n++] = j;
        }
      }
      long[] tokens = new long[n];
      for (int k = 0; k < n; k++) {
        tokens[k] = inputIds[b][where[k]];
      }
      // Images are the vision_start tokens followed by an image pad (as transformers counts them).
      int images = 0;
      for (int k = 0; k + 1 < n; k++) {
        if (tokens[k] == cfg.visionStartTokenId()) {
          if (tokens[k + 1] == cfg.imageTokenId()) {
            images++;
          } else if (tokens[k + 1] == cfg.videoTokenId()) {
            throw new VirftException("input_ids row " + b + ": video inputs are not supported");
          }
        }
      }
      long[][] rowPos = new long[3][n];
      int filled = 0;
      long next = 0; // max position so far + 1
      int st = 0;
      for (int img = 0; img < images; img++) {
        int ed = indexOf(tokens, cfg.imageTokenId(), st);
        if (imageGridThw == null || imageIndex >= imageGridThw.length) {
          throw new VirftException("image_grid_thw: has "
              + (imageGridThw == null ? 0 : imageGridThw.length)
              + " rows, but input_ids hold more images (row " + b + ")");
        }
        long[] thw = imageGridThw[imageIndex++];
        long gt = thw[0];
        long gh = thw[1] / merge;
        long gw = thw[2] / merge;
        int textLen = ed - st;
        for (int k = 0; k < textLen; k++) {
          for (int a = 0; a < 3; a++) {
            rowPos[a][filled] = next + k;
          }
          filled++;
        }
        long base = next + textLen;
        long maxSeen = next + textLen - 1;
        long count = gt * gh * gw;
        if (filled + count > n) {
          throw new VirftException("input_ids row " + b + ": image " + (imageIndex - 1) + " needs "
              + count + " <|image_pad|> tokens (grid " + thw[0] + "x" + thw[1] + "x" + thw[2]
              + "), the prompt has fewer");
        }
        for (long t = 0; t < gt; t++) {
          for (long h = 0; h < gh; h++) {
            for (long w = 0; w < gw; w++) {
              rowPos[0][filled] = base + t;
              rowPos[1][filled] = base + h;
              rowPos[2][filled] = base + w;
              maxSeen = Math.max(maxSeen, Math.max(base + t, Math.max(base + h, base + w)));
              filled++;
            }
          }
        }
        next = maxSeen + 1;
        st = ed + (int) count;
      }
      for (int k = st; k < n; k++) {
        for (int a = 0; a < 3; a++) {
          rowPos[a][filled] = next + (k - st);
        }
        filled++;
      }
      long max = Long.MIN_VALUE;
      for (int a = 0; a < 3; a++) {
        java.util.Arrays.fill(pos[a][b], padPosition);
        for (int k = 0; k < n; k++) {
          pos[a][b][where[k]] = rowPos[a][k];
          max = Math.max(max, rowPos[a][k]);
        }
      }
      deltas[b] = n == 0 ? 0 : max + 1 - n;
    }
    if (imageGridThw != null && imageIndex != imageGridThw.length && imageIndex > 0) {
      throw new VirftException("image_grid_thw: has " + imageGridThw.length
          + " rows, but input_ids hold " + imageIndex + " images");
    }
    return new Result(pos, deltas);
  }

  private static int indexOf(long[] a, long v, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    throw new VirftException("input_ids: <|vision_start|> is not followed by image pads");
  }

  /**
   * Positions [3, B, L] (int64, CPU) of {@code l} text tokens appended after {@code past} cached ones:
   * the j-th new token of a row sits at (real tokens before it) + j + delta, on all three axes.
   *
   * @param mask [B][past + l] attention mask (1 = real token)
   */
  public static org.bytedeco.pytorch.Tensor decodePositions(long[][] mask, int past, int l, long[] deltas) {
    int b = mask.length;
    long[] flat = new long[3 * b * l];
    for (int i = 0; i < b; i++) {
      long real = 0;
      for (int j = 0; j < past; j++) {
        real += mask[i][j] == 1 ? 1 : 0;
      }
      for (int a = 0; a < 3; a++) {
        for (int j = 0; j < l; j++) {
          flat[(a * b + i) * l + j] = real + j + deltas[i];
        }
      }
    }
    return dev.virft.tensor.Tensors.longs(flat, 3, b, l);
  }
}
