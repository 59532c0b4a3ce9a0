package dev.virft.processor;

import dev.virft.util.VirftException;

/**
 * Qwen2-VL's {@code smart_resize}: the size an image is resized to so that both sides are multiples of
 * {@code factor} (patch size x merge size) and the pixel count lies in [minPixels, maxPixels], keeping
 * the aspect ratio as well as possible.
 *
 * <p>Every step mirrors transformers 5.x in double precision and in the same order of operations, with
 * Python's round-half-to-even ({@link Math#rint}), so the grid is identical for every input size.
 */
public final class SmartResize {
  private SmartResize() {}

  /** Returns {@code {height, width}} after resizing. */
  public static int[] compute(int height, int width, int factor, long minPixels, long maxPixels) {
    if (height <= 0 || width <= 0) {
      throw new VirftException("image size " + width + "x" + height + " is empty");
    }
    double ratio = (double) Math.max(height, width) / Math.min(height, width);
    if (ratio > 200) {
      throw new VirftException(
          "image size " + width + "x" + height + ": aspect ratio " + ratio + " is over 200, which Qwen2-VL cannot take");
    }
    long hBar = (long) Math.rint((double) height / factor) * factor;
    long wBar = (long) Math.rint((double) width / factor) * factor;
    if (hBar * wBar > maxPixels) {
      double beta = Math.sqrt((double) ((long) height * width) / maxPixels);
      hBar = Math.max(factor, (long) Math.floor(height / beta / factor) * factor);
      wBar = Math.max(factor, (long) Math.floor(width / beta / factor) * factor);
    } else if (hBar * wBar < minPixels) {
      double beta = Math.sqrt((double) minPixels / ((long) height * width));
      hBar = (long) Math.ceil(height * beta / factor) * factor;
      wBar = (long) Math.ceil(width * beta / factor) * factor;
    }
    if (hBar > Integer.MAX_VALUE || wBar > Integer.MAX_VALUE) {
      throw new VirftException("image size " + width + "x" + height + " resizes beyond int range");
    }
    return new int[] {(int) hBar, (int) wBar};
  }
}
