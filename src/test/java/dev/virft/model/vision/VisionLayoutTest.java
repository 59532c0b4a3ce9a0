package dev.virft.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The grid-only index arithmetic against a literal transcription of transformers' {@code rot_pos_emb}
 * and {@code get_window_index} (pad with -100, reshape, permute, drop the padding), on grids where the
 * window does and does not divide the merged grid, with several frames and images.
 */
class VisionLayoutTest {
  private static final long[][][] GRIDS = {
    {{1, 6, 10}, {1, 12, 16}},
    {{1, 8, 8}},
    {{2, 10, 14}, {1, 2, 2}, {1, 16, 6}},
    {{1, 4, 30}},
  };

  @Test
  void windowOrderAndBoundariesMatchTransformers() {
    for (long[][] grid : GRIDS) {
      for (int merge : new int[] {1, 2}) {
        for (int window : new int[] {1, 2, 3, 4}) {
          VisionLayout layout = VisionLayout.of(grid, merge, window);
          TransformersWindowIndex ref = TransformersWindowIndex.of(grid, merge, window);
          List<Long> order = new ArrayList<>();
          List<Long> cu = new ArrayList<>(List.of(0L));
          for (long[] seg : layout.windowSegments) {
            for (long t : seg) {
              order.add(t);
            }
            cu.add(cu.get(cu.size() - 1) + seg.length);
          }
          String what = java.util.Arrays.deepToString(grid) + " merge " + merge + " window " + window;
          assertEquals(ref.tokenOrder(merge * merge), order, what);
          assertEquals(ref.cuWindowSeqlens(), cu, what);
          // Full attention: one segment per frame, in the same window order.
          List<Long> fullOrder = new ArrayList<>();
          for (long[] seg : layout.frameSegments) {
            for (long t : seg) {
              fullOrder.add(t);
            }
          }
          assertEquals(ref.tokenOrder(merge * merge), fullOrder, what);
          assertEquals(LongStream.of(frameSizes(grid)).boxed().toList(),
              layout.frameSegments.stream().map(s -> (long) s.length).toList(), what);
        }
      }
    }
  }

  @Test
  void rotaryPositionsMatchTransformers() {
    for (long[][] grid : GRIDS) {
      VisionLayout layout = VisionLayout.of(grid, 2, 0);
      List<Long> h = new ArrayList<>();
      List<Long> w = new ArrayList<>();
      for (long[] g : grid) {
        int t = (int) g[0];
        int hh = (int) g[1];
        int ww = (int) g[2];
        int m = 2;
        for (int f = 0; f < t; f++) {
          // hpos = arange(h)[:, None].expand(h, w).reshape(h/m, m, w/m, m).permute(0, 2, 1, 3).flatten()
          for (int a = 0; a < hh / m; a++) {
            for (int c = 0; c < ww / m; c++) {
              for (int b = 0; b < m; b++) {
                for (int d = 0; d < m; d++) {
                  h.add((long) a * m + b);
                  w.add((long) c * m + d);
                }
              }
            }
          }
        }
      }
      assertArrayEquals(h.stream().mapToLong(Long::longValue).toArray(), layout.hpos);
      assertArrayEquals(w.stream().mapToLong(Long::longValue).toArray(), layout.wpos);
      assertEquals(null, layout.windowed);
    }
  }

  @Test
  void attentionPlanGroupsEqualLengthsAndInvertsTheGather() {
    VisionLayout layout = VisionLayout.of(new long[][] {{1, 10, 14}}, 2, 2); // merged 5 x 7, windows 2 x 2
    AttentionPlan plan = layout.windowed;
    // Window sizes in merged tokens: 4 (full), 2 (right edge), 2 (bottom edge), 1 (corner) -> lengths 16, 8, 4.
    assertEquals(List.of(16, 8, 4), plan.groups.stream().map(AttentionPlan.Group::length).toList());
    assertEquals(List.of(6, 5, 1), plan.groups.stream().map(AttentionPlan.Group::count).toList());
    long[] concat = plan.groups.stream().flatMapToLong(g -> LongStream.of(g.tokens())).toArray();
    for (int tok = 0; tok < concat.length; tok++) {
      assertEquals(tok, concat[(int) plan.inverse[tok]]);
    }
    assertEquals(false, plan.identity);
    assertEquals(true, VisionLayout.of(new long[][] {{1, 4, 4}, {1, 4, 4}}, 2, 0).full.identity);
  }

  @Test
  void rejectsGridsTheMergeCannotTile() {
    VirftException e = assertThrows(VirftException.class,
        () -> VisionLayout.of(new long[][] {{1, 6, 10}, {1, 5, 4}}, 2, 0));
    assertEquals(true, e.getMessage().contains("image_grid_thw[1]"), e.getMessage());
    assertThrows(VirftException.class, () -> VisionLayout.of(new long[][] {{0, 4, 4}}, 2, 0));
    assertThrows(VirftException.class, () -> VisionLayout.of(new long[][] {{1, 4}}, 2, 0));
  }

  private static long[] frameSizes(long[][] grid) {
    List<Long> out = new ArrayList<>();
    for (long[] g : grid) {
      for (int f = 0; f < g[0]; f++) {
        out.add(g[1] * g[2]);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }
}
