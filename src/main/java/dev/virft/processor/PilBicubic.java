package dev.virft.processor;

/**
 * PIL's bicubic resize of an 8-bit image ({@code Image.resize(size, BICUBIC)}, libImaging/Resample.c),
 * hand-ported because no Java library reproduces PIL's fixed-point arithmetic: a=-0.5 cubic, support
 * widened by the downscale factor (antialias), coefficients normalised then rounded to 22 fractional
 * bits, horizontal pass then vertical pass, each rounded and clipped to uint8.
 */
final class PilBicubic {
  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final double SUPPORT = 2.0;

  private PilBicubic() {}

  static RgbImage resize(RgbImage in, int outW, int outH) {
    boolean horizontal = outW != in.width();
    boolean vertical = outH != in.height();
    Coeffs ch = Coeffs.of(in.width(), outW);
    Coeffs cv = Coeffs.of(in.height(), outH);
    byte[] src = in.hwc();
    int srcW = in.width();
    int rowFirst = 0;
    int rows = in.height();
    if (horizontal) {
      // Only the source rows the vertical pass reads, as PIL does.
      rowFirst = vertical ? cv.bounds[0] : 0;
      int rowLast = vertical ? cv.bounds[(outH - 1) * 2] + cv.bounds[(outH - 1) * 2 + 1] : in.height();
      rows = rowLast - rowFirst;
      byte[] tmp = new byte[rows * outW * 3];
      for (int y = 0; y < rows; y++) {
        int rowIn = (y + rowFirst) * srcW * 3;
        for (int x = 0; x < outW; x++) {
          int xmin = ch.bounds[x * 2];
          int n = ch.bounds[x * 2 + 1];
          int k = x * ch.ksize;
          for (int c = 0; c < 3; c++) {
            int ss = 1 << (PRECISION_BITS - 1);
            for (int i = 0; i < n; i++) {
              ss += (src[rowIn + (xmin + i) * 3 + c] & 0xff) * ch.kk[k + i];
            }
            tmp[(y * outW + x) * 3 + c] = clip8(ss);
          }
        }
      }
      src = tmp;
      srcW = outW;
    }
    if (!vertical) {
      return new RgbImage(srcW, rows, horizontal ? src : src.clone());
    }
    byte[] out = new byte[outH * srcW * 3];
    for (int y = 0; y < outH; y++) {
      int ymin = cv.bounds[y * 2] - rowFirst;
      int n = cv.bounds[y * 2 + 1];
      int k = y * cv.ksize;
      for (int x = 0; x < srcW; x++) {
        for (int c = 0; c < 3; c++) {
          int ss = 1 << (PRECISION_BITS - 1);
          for (int i = 0; i < n; i++) {
            ss += (src[((ymin + i) * srcW + x) * 3 + c] & 0xff) * cv.kk[k + i];
          }
          out[(y * srcW + x) * 3 + c] = clip8(ss);
        }
      }
    }
    return new RgbImage(srcW, outH, out);
  }

  private static byte clip8(int v) {
    int s = v >> PRECISION_BITS;
    return (byte) (s < 0 ? 0 : Math.min(s, 255));
  }

  static double cubic(double x) {
    final double a = -0.5;
    if (x < 0.0) {
      x = -x;
    }
    if (x < 1.0) {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0.0;
  }

  /** Per output index: first source index and count ({@code bounds}), fixed-point weights ({@code kk}). */
  private record Coeffs(int ksize, int[] bounds, int[] kk) {
    static Coeffs of(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterscale = Math.max(scale, 1.0);
      double support = SUPPORT * filterscale;
      int ksize = (int) Math.ceil(support) * 2 + 1;
      int[] bounds = new int[outSize * 2];
      int[] kk = new int[outSize * ksize];
      double[] k = new double[ksize];
      for (int xx = 0; xx < outSize; xx++) {
        double center = (xx + 0.5) * scale;
        double ww = 0.0;
        double ss = 1.0 / filterscale;
        int xmin = Math.max(0, (int) (center - support + 0.5));
        int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
        for (int x = 0; x < xmax; x++) {
          double w = cubic((x + xmin - center + 0.5) * ss);
          k[x] = w;
          ww += w;
        }
        for (int x = 0; x < xmax; x++) {
          double v = ww != 0.0 ? k[x] / ww : k[x];
          kk[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
        }
        bounds[xx * 2] = xmin;
        bounds[xx * 2 + 1] = xmax;
      }
      return new Coeffs(ksize, bounds, kk);
    }
  }
}
