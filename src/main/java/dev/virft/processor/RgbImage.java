package dev.virft.processor;

import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * An 8-bit RGB image, rows of interleaved R,G,B bytes (the layout of a PIL "RGB" image), made the way
 * transformers' {@code convert_to_rgb} makes it: RGB stays as it is; every other mode goes to RGBA and
 * is alpha-composited over opaque white (so transparent pixels become white, not black).
 *
 * <p>Samples are read from the raster, not through {@link BufferedImage#getRGB}, because Java converts
 * grayscale through a linear-gray colour space there, which changes the values PIL would keep.
 */
public record RgbImage(int width, int height, byte[] hwc) {
  public RgbImage {
    if ((long) width * height * 3 != hwc.length) {
      throw new IllegalArgumentException("hwc holds " + hwc.length + " bytes, not " + width + "x" + height + "x3");
    }
  }

  public int get(int y, int x, int c) {
    return hwc[(y * width + x) * 3 + c] & 0xff;
  }

  /** Converts a decoded image; {@code name} is used in error messages (usually the file). */
  public static RgbImage of(BufferedImage image, String name) {
    int w = image.getWidth();
    int h = image.getHeight();
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    byte[] out = new byte[w * h * 3];
    int[] px = new int[4];
    if (cm instanceof IndexColorModel icm) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = raster.getSample(x, y, 0);
          put(out, (y * w + x) * 3, icm.getRed(i), icm.getGreen(i), icm.getBlue(i),
              icm.hasAlpha() ? icm.getAlpha(i) : 255, icm.hasAlpha());
        }
      }
      return new RgbImage(w, h, out);
    }
    int bands = raster.getNumBands();
    boolean alpha = cm.hasAlpha();
    int colorBands = alpha ? bands - 1 : bands;
    if (!(colorBands == 1 || colorBands == 3) || cm.getNumComponents() != bands) {
      throw new VirftException(name + ": unsupported image layout (" + bands + " bands, colour space type "
          + cm.getColorSpace().getType() + "); expected gray, gray+alpha, RGB or RGBA");
    }
    if (cm.isAlphaPremultiplied()) {
      throw new VirftException(name + ": premultiplied alpha is not supported");
    }
    int[] shift = new int[bands];
    for (int b = 0; b < bands; b++) {
      int bits = cm.getComponentSize(b);
      if (bits > 16 || bits < 1) {
        throw new VirftException(name + ": " + bits + "-bit samples are not supported");
      }
      // 16-bit samples keep their most significant byte, as PIL's PNG decoder does for RGB(A) and LA.
      shift[b] = Math.max(0, bits - 8);
    }
    // A 16-bit gray PNG is PIL mode "I", whose conversion to RGB clips at 255 instead of scaling.
    boolean clipGray = colorBands == 1 && !alpha && cm.getComponentSize(0) > 8;
    int[] bitsOf = new int[bands];
    for (int b = 0; b < bands; b++) {
      bitsOf[b] = cm.getComponentSize(b);
    }
    int[] row = new int[w * bands];
    for (int y = 0; y < h; y++) {
      raster.getPixels(0, y, w, 1, row);
      for (int x = 0; x < w; x++) {
        for (int b = 0; b < bands; b++) {
          int bits = bitsOf[b];
          int v = row[x * bands + b];
          // Sub-byte samples (1/2/4-bit gray) scale to 0..255 as PIL's unpackers do.
          px[b] = bits < 8 ? v * 255 / ((1 << bits) - 1) : clipGray ? Math.min(v, 255) : v >> shift[b];
        }
        int o = (y * w + x) * 3;
        if (colorBands == 1) {
          put(out, o, px[0], px[0], px[0], alpha ? px[1] : 255, alpha);
        } else {
          put(out, o, px[0], px[1], px[2], alpha ? px[3] : 255, alpha);
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static void put(byte[] out, int o, int r, int g, int b, int a, boolean composite) {
    if (composite) {
      r = overWhite(r, a);
      g = overWhite(g, a);
      b = overWhite(b, a);
    }
    out[o] = (byte) r;
    out[o + 1] = (byte) g;
    out[o + 2] = (byte) b;
  }

  /**
   * One channel of PIL's {@code Image.alpha_composite(white, src)} (libImaging/AlphaComposite.c),
   * hand-ported because the integer rounding must match PIL's bit for bit: 7 extra bits of precision
   * and its shift-based division by 255.
   */
  static int overWhite(int src, int srcAlpha) {
    if (srcAlpha == 0) {
      return 255;
    }
    final int precisionBits = 7;
    final long dstAlpha = 255;
    final long dst = 255;
    long blend = dstAlpha * (255 - srcAlpha);
    long outa255 = srcAlpha * 255L + blend;
    long coef1 = srcAlpha * 255L * 255L * (1L << precisionBits) / outa255;
    long coef2 = 255L * (1L << precisionBits) - coef1;
    long tmp = src * coef1 + dst * coef2 + (0x80L << precisionBits);
    return (int) ((((tmp >> 8) + tmp) >> 8) >> precisionBits);
  }
}
