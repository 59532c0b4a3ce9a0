package dev.virft.eval;

/**
 * The few numpy routines whose exact floating-point behaviour the COCO/LVIS metrics depend on.
 * Hand-written (no Java library reproduces numpy's rounding): {@code np.mean} sums with numpy's
 * pairwise summation, so a plain loop differs in the last bits; {@code np.linspace} computes
 * {@code i * step + start} with the last point forced to {@code stop}.
 */
public final class NumpyMath {
  /** {@code np.spacing(1)}: the distance from 1.0 to the next double, 2^-52. */
  public static final double SPACING_1 = Math.ulp(1.0);

  private static final int PAIRWISE_BLOCK = 128;

  private NumpyMath() {}

  /** {@code np.linspace(start, stop, num, endpoint=True)} for num >= 2, bit for bit. */
  public static double[] linspace(double start, double stop, int num) {
    double[] y = new double[num];
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; i++) {
      y[i] = i * step + start;
    }
    y[num - 1] = stop;
    return y;
  }

  /** {@code np.sum} of a contiguous float64 array: numpy's pairwise summation, started from 0.0. */
  public static double sum(double[] a, int from, int n) {
    return 0.0 + pairwise(a, from, n);
  }

  /** {@code np.mean} of the first {@code n} values of {@code a}; NaN when n == 0 (as numpy). */
  public static double mean(double[] a, int n) {
    return sum(a, 0, n) / n;
  }

  // Port of numpy's pairwise_sum (loops_utils.h.src): 8 accumulators up to 128 values, halving above.
  private static double pairwise(double[] a, int from, int n) {
    if (n < 8) {
      double res = 0.0;
      for (int i = 0; i < n; i++) {
        res += a[from + i];
      }
      return res;
    } else if (n <= PAIRWISE_BLOCK) {
      double r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3];
      double r4 = a[from + 4], r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7];
      int i;
      int end = n - (n % 8);
      for (i = 8; i < end; i += 8) {
        int b = from + i;
        r0 += a[b];
        r1 += a[b + 1];
        r2 += a[b + 2];
        r3 += a[b + 3];
        r4 += a[b + 4];
        r5 += a[b + 5];
        r6 += a[b + 6];
        r7 += a[b + 7];
      }
      double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
      for (; i < n; i++) {
        res += a[from + i];
      }
      return res;
    } else {
      int n2 = n / 2;
      n2 -= n2 % 8;
      return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
    }
  }

  /**
   * {@code np.searchsorted(sorted, x, side='left')}: the first index i with sorted[i] >= x (n if
   * none). {@code sorted} must be non-decreasing over [0, n).
   */
  public static int searchsortedLeft(double[] sorted, int n, double x) {
    int lo = 0, hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Indices that sort {@code keys} descending, ties in their original order: the same permutation
   * as {@code np.argsort(-keys, kind='mergesort')} (0.0 and -0.0 tie, as in numpy).
   */
  public static int[] stableArgsortDescending(double[] keys, int n) {
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    // Arrays.sort on objects is a stable merge sort (TimSort), like numpy's kind='mergesort'.
    java.util.Arrays.sort(
        idx,
        (x, y) -> {
          double a = keys[x], b = keys[y];
          return a > b ? -1 : (a < b ? 1 : 0);
        });
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = idx[i];
    }
    return out;
  }
}
