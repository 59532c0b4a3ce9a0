package dev.virft.processor;

import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
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
        BufferedImage img = reader.read(0);
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
