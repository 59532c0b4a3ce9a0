package dev.virft.processor;

import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.awt.image.Raster;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Node;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files (PNG, JPEG, BMP, GIF: whatever ImageIO reads) with a clear error naming the
 * image when it is missing, truncated, corrupt or absurdly large.
 */
public final class ImageLoader {
  /** PIL refuses images over twice its MAX_IMAGE_PIXELS as decompression bombs; so do we. */
  public static final long MAX_PIXELS = 2L * 89_478_485L;

  private ImageLoader() {}

  public static BufferedImage read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(file + ": image file not found");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return decode(in, file.toString());
    } catch (IOException e) {
      throw new VirftException(file + ": cannot read image: " + e.getMessage(), e);
    }
  }

  /** Decodes encoded image bytes (a PNG from a dataset row, say); {@code name} says where they came from. */
  public static BufferedImage decode(byte[] bytes, String name) {
    try {
      return decode(new ByteArrayInputStream(bytes), name);
    } catch (IOException e) {
      throw new VirftException(name + ": cannot read image: " + e.getMessage(), e);
    }
  }

  public static RgbImage readRgb(Path file) {
    return RgbImage.of(read(file), file.toString());
  }

  /**
   * A CMYK JPEG converted to RGB as PIL does it ({@code raw}: from read(), or as stored from
   * readRaster()): its JPEG plugin reads Adobe-marked files as inverted CMYK ("CMYK;I"), then
   * convert("RGB") is R = (255 - K) - (C * (255 - K) + 127) / 255 (MULDIV255),
   * likewise G from M and B from Y. A YCCK JPEG (Adobe transform 2) is refused, naming the file.
   */
  private static BufferedImage fourChannelJpeg(ImageReader reader, Raster raw, boolean asStored, String name,
      IIOException cause)
      throws IOException {
    if (raw.getNumBands() != 4) {
      if (cause != null) {
        throw cause;
      }
      throw new VirftException(name + ": JPEG with " + raw.getNumBands() + " channels, expected 1, 3 or 4");
    }
    int transform = adobeTransform(reader);
    if (transform == 2) {
      throw new VirftException(name + ": YCCK JPEG (Adobe colour transform 2) is not supported, expected an RGB, "
          + "grayscale or CMYK JPEG (convert it, e.g. with PIL: Image.open(f).convert('RGB').save(...))");
    }
    // Adobe-marked CMYK is stored inverted; read() undoes that already, readRaster() does not.
    boolean inverted = asStored && transform >= 0;
    int w = raw.getWidth();
    int h = raw.getHeight();
    BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] px = new int[4 * w];
    for (int y = 0; y < h; y++) {
      raw.getPixels(raw.getMinX(), raw.getMinY() + y, w, 1, px);
      for (int x = 0; x < w; x++) {
        int c = px[4 * x], m = px[4 * x + 1], ye = px[4 * x + 2], k = px[4 * x + 3];
        if (inverted) {
          c = 255 - c;
          m = 255 - m;
          ye = 255 - ye;
          k = 255 - k;
        }
        int nk = 255 - k;
        rgb.setRGB(x, y, (pil(nk, c) << 16) | (pil(nk, m) << 8) | pil(nk, ye));
      }
    }
    return rgb;
  }

  /** PIL's CLIP8(nk - MULDIV255(v, nk)). */
  private static int pil(int nk, int v) {
    int tmp = v * nk + 128;
    int out = nk - (((tmp >> 8) + tmp) >> 8);
    return Math.max(0, Math.min(255, out));
  }

  /** The Adobe APP14 marker's colour transform (0 CMYK, 1 YCbCr, 2 YCCK), or -1 without one. */
  private static int adobeTransform(ImageReader reader) {
    try {
      IIOMetadata meta = reader.getImageMetadata(0);
      Node root = meta.getAsTree("javax_imageio_jpeg_image_1.0");
      for (Node seq = root.getFirstChild(); seq != null; seq = seq.getNextSibling()) {
        if (!"markerSequence".equals(seq.getNodeName())) {
          continue;
        }
        for (Node n = seq.getFirstChild(); n != null; n = n.getNextSibling()) {
          if ("app14Adobe".equals(n.getNodeName())) {
            Node t = n.getAttributes().getNamedItem("transform");
            return t == null ? 0 : Integer.parseInt(t.getNodeValue());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // no readable metadata: treat as unmarked
    }
    return -1;
  }

  private static BufferedImage decode(InputStream in, String name) throws IOException {
    try (ImageInputStream iis = ImageIO.createImageInputStream(in)) {
      if (iis == null) {
        throw new VirftException(name + ": cannot open image stream");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        throw new VirftException(name + ": not a readable image (expected PNG, JPEG, BMP or GIF)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(iis, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w <= 0 || h <= 0 || w * h > MAX_PIXELS) {
          throw new VirftException(name + ": image size " + w + "x" + h + " is empty or over " + MAX_PIXELS + " pixels");
        }
        BufferedImage img;
        boolean jpeg = "jpeg".equalsIgnoreCase(reader.getFormatName());
        try {
          img = reader.read(0);
        } catch (IIOException e) {
          // Older ImageIO refuses 4-channel (CMYK / YCCK) JPEGs; PIL converts them.
          if (!jpeg) {
            throw e;
          }
          img = fourChannelJpeg(reader, reader.readRaster(0, null), true, name, e);
        }
        if (jpeg && img.getRaster().getNumBands() == 4) {
          // ImageIO's CMYK colour space converts differently from PIL (by up to 50 levels here).
          img = fourChannelJpeg(reader, img.getRaster(), false, name, null);
        }
        if (img == null) {
          throw new VirftException(name + ": image decoded to nothing");
        }
        return img;
      } catch (IOException | RuntimeException e) {
        if (e instanceof VirftException ve) {
          throw ve;
        }
        throw new VirftException(name + ": corrupt or truncated " + reader.getFormatName() + " image ("
            + e.getMessage() + "), expected a complete PNG, JPEG, BMP or GIF", e);
      } finally {
        reader.dispose();
      }
    }
  }
}
