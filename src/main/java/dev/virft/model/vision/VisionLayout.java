package dev.virft.model.vision;

import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything about a batch of images that depends only on their grids, in plain Java arrays: the 2-D
 * rotary positions of every patch and the attention segments (per frame, and per window for
 * Qwen2.5-VL). Built once per distinct grid list and cached by the towers, so the per-patch loops here
 * never run in a steady training or generation loop.
 *
 * <p>Patches arrive in the processor's merged order: within a frame, merge blocks row-major, and within a
 * block its {@code m x m} patches row-major. Patch {@code i} of a frame lies in block
 * {@code (bh, bw) = divmod(i / m², w / m)} at offset {@code (ih, iw) = divmod(i % m², m)}.
 */
public final class VisionLayout {
  public final long numTokens;
  /** Row and column of every patch within its frame, the two halves of the 2-D rotary. */
  final long[] hpos;
  final long[] wpos;
  /** One segment per frame (image). */
  final AttentionPlan full;
  /** One segment per window; null when the architecture has no window attention. */
  final AttentionPlan windowed;
  /** The segments behind the plans, in image / frame / window order (for tests and diagnostics). */
  public final List<long[]> frameSegments;
  public final List<long[]> windowSegments;

  private VisionLayout(long numTokens, long[] hpos, long[] wpos, List<long[]> frames, List<long[]> windows) {
    this.numTokens = numTokens;
    this.hpos = hpos;
    this.wpos = wpos;
    this.frameSegments = List.copyOf(frames);
    this.windowSegments = windows == null ? null : List.copyOf(windows);
    this.full = AttentionPlan.of(frames, (int) numTokens);
    this.windowed = windows == null ? null : AttentionPlan.of(windows, (int) numTokens);
  }

  /**
   * @param mergedWindow window side in merged tokens, or 0 for no window attention (Qwen2-VL)
   */
  public static VisionLayout of(long[][] grid, int merge, int mergedWindow) {
    long total = 0;
    for (int i = 0; i < grid.length; i++) {
      long[] g = grid[i];
      if (g == null || g.length != 3) {
        throw new VirftException("image_grid_thw[" + i + "]: expected [t, h, w]");
      }
      if (g[0] < 1 || g[1] < 1 || g[2] < 1 || g[1] % merge != 0 || g[2] % merge != 0) {
        throw new VirftException("image_grid_thw[" + i + "] = [" + g[0] + ", " + g[1] + ", " + g[2]
            + "]: expected t >= 1 and h, w positive multiples of spatial_merge_size " + merge);
      }
      total = Math.addExact(total, Math.multiplyExact(g[0], Math.multiplyExact(g[1], g[2])));
    }
    if (total > Integer.MAX_VALUE) {
      throw new VirftException("image_grid_thw: " + total + " patches in total is too many");
    }
    int n = (int) total;
    long[] hpos = new long[n];
    long[] wpos = new long[n];
    List<long[]> frames = new ArrayList<>();
    List<long[]> windows = mergedWindow > 0 ? new ArrayList<>() : null;
    int mm = merge * merge;
    int offset = 0;
    for (long[] g : grid) {
      int t = (int) g[0];
      int h = (int) g[1];
      int w = (int) g[2];
      int hm = h / merge;
      int wm = w / merge;
      for (int f = 0; f < t; f++) {
        for (int i = 0; i < h * w; i++) {
          int block = i / mm;
          int inner = i % mm;
          hpos[offset + i] = (long) (block / wm) * merge + inner / merge;
          wpos[offset + i] = (long) (block % wm) * merge + inner % merge;
        }
        if (windows == null) {
          frames.add(range(offset, h * w));
        } else {
          // Windows tile the merged grid from the top-left; the last row/column of windows is cut
          // short where the grid does not divide (transformers pads with -100 and drops them).
          long[] frame = new long[h * w];
          int k = 0;
          for (int wh = 0; wh < hm; wh += mergedWindow) {
            for (int ww = 0; ww < wm; ww += mergedWindow) {
              int rows = Math.min(mergedWindow, hm - wh);
              int cols = Math.min(mergedWindow, wm - ww);
              long[] win = new long[rows * cols * mm];
              int j = 0;
              for (int bh = wh; bh < wh + rows; bh++) {
                for (int bw = ww; bw < ww + cols; bw++) {
                  int base = offset + (bh * wm + bw) * mm;
                  for (int p = 0; p < mm; p++) {
                    win[j++] = base + p;
                  }
                }
              }
              windows.add(win);
              System.arraycopy(win, 0, frame, k, win.length);
              k += win.length;
            }
          }
          // Full attention sees the frame in window order too, as transformers' permuted sequence does;
          // only the summation order depends on it.
          frames.add(frame);
        }
        offset += h * w;
      }
    }
    return new VisionLayout(n, hpos, wpos, frames, windows);
  }

  private static long[] range(int start, int count) {
    long[] r = new long[count];
    for (int i = 0; i < count; i++) {
      r[i] = start + i;
    }
    return r;
  }
}
