package dev.virft.inference;

import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** An image file's width and height from its header, without decoding the pixels. */
final class ImageSize {
  private ImageSize() {}

  static int[] of(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(file + ": image file not found");
    }
    try (ImageInputStream iis = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
      if (readers == null || !readers.hasNext()) {
        throw new VirftException(file + ": not a readable image (expected PNG, JPEG, BMP or GIF)");
      }
      ImageReader r = readers.next();
      try {
        r.setInput(iis, true, true);
        return new int[] {r.getWidth(0), r.getHeight(0)};
      } finally {
        r.dispose();
      }
    } catch (IOException e) {
      throw new VirftException(file + ": cannot read image header: " + e.getMessage(), e);
    }
  }
}
