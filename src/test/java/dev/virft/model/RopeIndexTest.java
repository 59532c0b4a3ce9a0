package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.virft.util.VirftException;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** get_rope_index on cases the golden dump does not cover: two images in one prompt, text only. */
class RopeIndexTest {
  static final QwenVLConfig CFG =
      QwenVLConfig.read(Paths.get("src/test/resources/golden/qwen2_vl/checkpoint"));
  static final long VS = CFG.visionStartTokenId();
  static final long VE = CFG.visionEndTokenId();
  static final long I = CFG.imageTokenId();

  @Test
  void twoImagesInOneLeftPaddedPrompt() {
    // pad pad A <vs> 4 pads (grid 1x4x4, merge 2 -> 2x2) <ve> B <vs> 2 pads (grid 1x2x4 -> 1x2) <ve> C
    long[][] ids = {{0, 0, 7, VS, I, I, I, I, VE, 8, VS, I, I, VE, 9}};
    long[][] mask = {{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
    long[][] grids = {{1, 4, 4}, {1, 2, 4}};
    RopeIndex.Result r = RopeIndex.compute(CFG, ids, mask, grids);
    assertArrayEquals(new long[] {0, 0, 0, 1, 2, 2, 2, 2, 4, 5, 6, 7, 7, 9, 10}, r.positions()[0][0]);
    assertArrayEquals(new long[] {0, 0, 0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 7, 9, 10}, r.positions()[1][0]);
    assertArrayEquals(new long[] {0, 0, 0, 1, 2, 3, 2, 3, 4, 5, 6, 7, 8, 9, 10}, r.positions()[2][0]);
    // 13 real tokens, largest position 10: the next token goes to 13 + delta = 11.
    assertArrayEquals(new long[] {-2}, r.deltas());
  }

  @Test
  void imagesAreAssignedToRowsInOrder() {
    long[][] ids = {{VS, I, VE, 5}, {VS, I, I, VE}};
    long[][] mask = {{1, 1, 1, 1}, {1, 1, 1, 1}};
    long[][] grids = {{1, 2, 2}, {1, 2, 4}};
    RopeIndex.Result r = RopeIndex.compute(CFG, ids, mask, grids);
    assertArrayEquals(new long[] {0, 1, 2, 3}, r.positions()[2][0]);
    assertArrayEquals(new long[] {0, 1, 2, 3}, r.positions()[2][1]);
    assertArrayEquals(new long[] {0, 1, 1, 3}, r.positions()[1][1]);
    assertArrayEquals(new long[] {0, 0}, r.deltas());
  }

  @Test
  void textOnlyCountsRealTokens() {
    long[][] ids = {{0, 0, 5, 6}, {1, 2, 3, 4}};
    long[][] mask = {{0, 0, 1, 1}, {1, 1, 1, 1}};
    RopeIndex.Result r = RopeIndex.compute(CFG, ids, mask, null);
    for (int a = 0; a < 3; a++) {
      assertArrayEquals(new long[] {1, 1, 0, 1}, r.positions()[a][0]);
      assertArrayEquals(new long[] {0, 1, 2, 3}, r.positions()[a][1]);
    }
    assertArrayEquals(new long[] {0, 0}, r.deltas());
  }

  @Test
  void tooFewPadsForTheGridIsAnError() {
    long[][] ids = {{VS, I, VE}};
    assertThrows(VirftException.class, () -> RopeIndex.compute(CFG, ids, null, new long[][] {{1, 4, 4}}));
    assertThrows(VirftException.class, () -> RopeIndex.compute(CFG, ids, null, new long[0][]));
  }
}
