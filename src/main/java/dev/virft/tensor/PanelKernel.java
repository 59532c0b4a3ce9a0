package dev.virft.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The arithmetic of {@link PanelLinear}, in the JDK's Vector API. Written by hand because no library
 * on Maven Central multiplies a few float32 rows by a vocabulary-sized matrix at memory speed:
 * OpenBLAS (libtorch's CPU products here) repacks the whole 151,936-row head on every call, which
 * made the 113 M bench config's head 35-48 ms per decode step where reading it once takes 10-12 ms
 * (docs/benchmarks.md, Rollouts).
 *
 * <p>Each output element is one accumulator, updated by a fused multiply-add in order k = 0, 1, ...
 * whatever the number of rows or the vector width, so a row's logits do not depend on the batch it
 * sits in. The methods for 8, 4 and 1 rows are separate on purpose: vectors that merge across
 * branches are boxed by the JIT, which made a single branching version 3x slower.
 */
final class PanelKernel {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  static final int LANES = SPECIES.length();
  /** Columns per panel: two vectors, so 8 rows keep 16 accumulators in registers. */
  static final int PANEL = 2 * LANES;

  private PanelKernel() {}

  /** Copies rows [n0, n1) of a row-major [n, k] matrix into panels: panel p holds w[p*PANEL + c][i] at (p*k + i)*PANEL + c. */
  static void pack(float[] rows, int n0, int count, int k, float[] packed) {
    for (int r = 0; r < count; r++) {
      int j = n0 + r;
      int base = (j / PANEL) * PANEL * k + j % PANEL;
      int src = r * k;
      for (int i = 0; i < k; i++) {
        packed[base + i * PANEL] = rows[src + i];
      }
    }
  }

  /** out[r * stride + j] = x[r, :] · w[j, :] for the panels [p0, p1), every row of x. */
  static void multiply(float[] x, int rows, int k, float[] packed, int p0, int p1, float[] out, int stride) {
    for (int p = p0; p < p1; p++) {
      int po = p * PANEL * k;
      int col = p * PANEL;
      int r = 0;
      // the panel (k * PANEL floats) stays in cache across the row blocks
      for (; r + 8 <= rows; r += 8) {
        rows8(x, r * k, k, packed, po, out, r * stride + col, stride);
      }
      for (; r + 4 <= rows; r += 4) {
        rows4(x, r * k, k, packed, po, out, r * stride + col, stride);
      }
      for (; r < rows; r++) {
        rows1(x, r * k, k, packed, po, out, r * stride + col);
      }
    }
  }

  private static void rows8(float[] x, int xo, int k, float[] w, int po, float[] out, int oo, int stride) {
    FloatVector z = FloatVector.zero(SPECIES);
    FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
    FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z;
    for (int i = 0; i < k; i++) {
      int o = po + i * PANEL;
      FloatVector w0 = FloatVector.fromArray(SPECIES, w, o);
      FloatVector w1 = FloatVector.fromArray(SPECIES, w, o + LANES);
      FloatVector v = FloatVector.broadcast(SPECIES, x[xo + i]);
      a0 = w0.fma(v, a0);
      b0 = w1.fma(v, b0);
      v = FloatVector.broadcast(SPECIES, x[xo + k + i]);
      a1 = w0.fma(v, a1);
      b1 = w1.fma(v, b1);
      v = FloatVector.broadcast(SPECIES, x[xo + 2 * k + i]);
      a2 = w0.fma(v, a2);
      b2 = w1.fma(v, b2);
      v = FloatVector.broadcast(SPECIES, x[xo + 3 * k + i]);
      a3 = w0.fma(v, a3);
      b3 = w1.fma(v, b3);
      v = FloatVector.broadcast(SPECIES, x[xo + 4 * k + i]);
      a4 = w0.fma(v, a4);
      b4 = w1.fma(v, b4);
      v = FloatVector.broadcast(SPECIES, x[xo + 5 * k + i]);
      a5 = w0.fma(v, a5);
      b5 = w1.fma(v, b5);
      v = FloatVector.broadcast(SPECIES, x[xo + 6 * k + i]);
      a6 = w0.fma(v, a6);
      b6 = w1.fma(v, b6);
      v = FloatVector.broadcast(SPECIES, x[xo + 7 * k + i]);
      a7 = w0.fma(v, a7);
      b7 = w1.fma(v, b7);
    }
    a0.intoArray(out, oo);
    b0.intoArray(out, oo + LANES);
    a1.intoArray(out, oo + stride);
    b1.intoArray(out, oo + stride + LANES);
    a2.intoArray(out, oo + 2 * stride);
    b2.intoArray(out, oo + 2 * stride + LANES);
    a3.intoArray(out, oo + 3 * stride);
    b3.intoArray(out, oo + 3 * stride + LANES);
    a4.intoArray(out, oo + 4 * stride);
    b4.intoArray(out, oo + 4 * stride + LANES);
    a5.intoArray(out, oo + 5 * stride);
    b5.intoArray(out, oo + 5 * stride + LANES);
    a6.intoArray(out, oo + 6 * stride);
    b6.intoArray(out, oo + 6 * stride + LANES);
    a7.intoArray(out, oo + 7 * stride);
    b7.intoArray(out, oo + 7 * stride + LANES);
  }

  private static void rows4(float[] x, int xo, int k, float[] w, int po, float[] out, int oo, int stride) {
    FloatVector z = FloatVector.zero(SPECIES);
    FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
    for (int i = 0; i < k; i++) {
      int o = po + i * PANEL;
      FloatVector w0 = FloatVector.fromArray(SPECIES, w, o);
      FloatVector w1 = FloatVector.fromArray(SPECIES, w, o + LANES);
      FloatVector v = FloatVector.broadcast(SPECIES, x[xo + i]);
      a0 = w0.fma(v, a0);
      b0 = w1.fma(v, b0);
      v = FloatVector.broadcast(SPECIES, x[xo + k + i]);
      a1 = w0.fma(v, a1);
      b1 = w1.fma(v, b1);
      v = FloatVector.broadcast(SPECIES, x[xo + 2 * k + i]);
      a2 = w0.fma(v, a2);
      b2 = w1.fma(v, b2);
      v = FloatVector.broadcast(SPECIES, x[xo + 3 * k + i]);
      a3 = w0.fma(v, a3);
      b3 = w1.fma(v, b3);
    }
    a0.intoArray(out, oo);
    b0.intoArray(out, oo + LANES);
    a1.intoArray(out, oo + stride);
    b1.intoArray(out, oo + stride + LANES);
    a2.intoArray(out, oo + 2 * stride);
    b2.intoArray(out, oo + 2 * stride + LANES);
    a3.intoArray(out, oo + 3 * stride);
    b3.intoArray(out, oo + 3 * stride + LANES);
  }

  private static void rows1(float[] x, int xo, int k, float[] w, int po, float[] out, int oo) {
    FloatVector a = FloatVector.zero(SPECIES);
    FloatVector b = a;
    for (int i = 0; i < k; i++) {
      int o = po + i * PANEL;
      FloatVector v = FloatVector.broadcast(SPECIES, x[xo + i]);
      a = FloatVector.fromArray(SPECIES, w, o).fma(v, a);
      b = FloatVector.fromArray(SPECIES, w, o + LANES).fma(v, b);
    }
    a.intoArray(out, oo);
    b.intoArray(out, oo + LANES);
  }
}
