package dev.virft.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** numpy behaviours copied bit for bit; expected values printed by numpy 2.4.6. */
class NumpyMathTest {
  @Test
  void pairwiseSumAndMeanAsNumpy() {
    double[] a = new double[1000];
    Arrays.fill(a, 0.1);
    double naive = 0;
    for (double v : a) {
      naive += v;
    }
    assertEquals(99.9999999999986, naive); // Python's sum(): not what numpy gives
    assertEquals(100.00000000000001, NumpyMath.sum(a, 0, a.length)); // np.sum
    assertEquals(0.10000000000000002, NumpyMath.mean(a, a.length)); // np.mean
    double[] b = new double[300];
    for (int i = 0; i < b.length; i++) {
      b[i] = (i % 7) * 0.37 + 1e-3 * i;
    }
    assertEquals(1.2558, NumpyMath.mean(b, b.length)); // np.mean; sum()/300 gives 1.2557999999999998
  }

  @Test
  void linspaceAsNumpy() {
    double[] iou = NumpyMath.linspace(0.5, 0.95, 10);
    assertEquals(0.8999999999999999, iou[8]);
    assertEquals(0.75, iou[5]);
    assertEquals(0.95, iou[9]);
    double[] rec = NumpyMath.linspace(0, 1, 101);
    assertEquals(0.07, rec[7]);
    assertEquals(0.29, rec[29]);
    assertEquals(1.0, rec[100]);
  }

  @Test
  void searchsortedLeftAndStableDescendingSort() {
    double[] rc = {0, 0, 0.5, 0.5, 1};
    assertEquals(0, NumpyMath.searchsortedLeft(rc, 5, 0));
    assertEquals(2, NumpyMath.searchsortedLeft(rc, 5, 0.5));
    assertEquals(4, NumpyMath.searchsortedLeft(rc, 5, 0.51));
    assertEquals(5, NumpyMath.searchsortedLeft(rc, 5, 1.01));
    // Ties keep their order; 0.0 and -0.0 tie as in numpy.
    assertArrayEquals(new int[] {1, 3, 0, 2, 4},
        NumpyMath.stableArgsortDescending(new double[] {0.5, 0.9, 0.0, 0.9, -0.0}, 5));
  }
}
