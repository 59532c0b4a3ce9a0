package dev.virft.model.vision;

import java.util.ArrayList;
import java.util.List;

/**
 * transformers' {@code Qwen2_5_VisionTransformerPretrainedModel.get_window_index}, transcribed step by
 * step (pad the merged grid with -100, cut into windows, drop the padding, unique_consecutive), as an
 * independent reference for the tower's own window layout.
 */
record TransformersWindowIndex(List<Long> windowIndex, List<Long> cuWindowSeqlens) {
  static TransformersWindowIndex of(long[][] grid, int merge, int vws) {
    int mm = merge * merge;
    List<Long> windowIndex = new ArrayList<>();
    List<Long> cu = new ArrayList<>(List.of(0L));
    long id = 0;
    for (long[] g : grid) {
      int t = (int) g[0];
      int hm = (int) g[1] / merge;
      int wm = (int) g[2] / merge;
      int padH = vws - hm % vws;
      int padW = vws - wm % vws;
      int nh = (hm + padH) / vws;
      int nw = (wm + padW) / vws;
      long[][][] padded = new long[t][hm + padH][wm + padW];
      for (int f = 0; f < t; f++) {
        for (int y = 0; y < hm + padH; y++) {
          for (int x = 0; x < wm + padW; x++) {
            padded[f][y][x] = y < hm && x < wm ? ((long) f * hm + y) * wm + x : -100;
          }
        }
      }
      for (int f = 0; f < t; f++) {
        for (int a = 0; a < nh; a++) {
          for (int b = 0; b < nw; b++) {
            long count = 0;
            for (int y = 0; y < vws; y++) {
              for (int x = 0; x < vws; x++) {
                long v = padded[f][a * vws + y][b * vws + x];
                if (v != -100) {
                  windowIndex.add(v + id);
                  count++;
                }
              }
            }
            cu.add(cu.get(cu.size() - 1) + count * mm);
          }
        }
      }
      id += (long) t * hm * wm;
    }
    List<Long> unique = new ArrayList<>();
    for (Long c : cu) {
      if (unique.isEmpty() || !unique.get(unique.size() - 1).equals(c)) {
        unique.add(c);
      }
    }
    return new TransformersWindowIndex(windowIndex, unique);
  }

  /** The window order expanded from merge units to patches. */
  List<Long> tokenOrder(int mm) {
    List<Long> tokens = new ArrayList<>();
    for (long u : windowIndex) {
      for (int p = 0; p < mm; p++) {
        tokens.add(u * mm + p);
      }
    }
    return tokens;
  }
}
