package dev.virft.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GroupAdvantagesTest {
  @Test
  void normalisesEachGroupByItsUnbiasedStd() {
    double[] r = {1, 0, 0, 1, 2, 2, 2, 2, 3, 0, 0, 0};
    double[] a = GroupAdvantages.compute(r, 4, true);
    double s = Math.sqrt(1.0 / 3.0); // sum of squares 4*0.25 over (4-1)
    assertEquals(0.5 / (s + 1e-4), a[0], 1e-12);
    assertEquals(-0.5 / (s + 1e-4), a[1], 1e-12);
    for (int i = 4; i < 8; i++) {
      assertEquals(0.0, a[i], 0.0);
    }
    double s3 = Math.sqrt((2.25 * 2.25 + 3 * 0.75 * 0.75) / 3.0);
    assertEquals(2.25 / (s3 + 1e-4), a[8], 1e-12);
    assertEquals(-0.75 / (s3 + 1e-4), a[9], 1e-12);
    assertArrayEquals(new double[] {s, 0.0, s3}, GroupAdvantages.groupStd(r, 4), 1e-12);
    assertEquals(1, GroupAdvantages.zeroSpreadGroups(r, 4));
  }

  @Test
  void drGrpoOnlyCentres() {
    double[] a = GroupAdvantages.compute(new double[] {1, 0, 0, 3}, 4, false);
    assertArrayEquals(new double[] {0, -1, -1, 2}, a, 1e-12);
  }

  @Test
  void groupOfOneHasZeroAdvantageNotNaN() {
    assertArrayEquals(new double[] {0, 0}, GroupAdvantages.compute(new double[] {1, 5}, 1, true), 0);
  }

  @Test
  void rejectsRaggedGroups() {
    assertThrows(IllegalArgumentException.class, () -> GroupAdvantages.compute(new double[3], 2, true));
  }
}
