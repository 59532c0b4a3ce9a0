package dev.virft.data;

import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The image of one sample, kept encoded (PNG/JPEG bytes as stored) and decoded only on demand: a
 * dataset of thousands of images stays small in memory while it streams. Either the bytes are in the
 * dataset, or a file path is loaded the first time they are needed.
 *
 * <p>{@link #decode()} returns the image as stored (RGBA, gray, palette...); conversion to RGB is the
 * processor's job, as in the original, where the Qwen processor converts the RGBA PNGs.
 */
public final class SampleImage {
  private final byte[] bytes;
  private final Path path;
  private final RowSource source;
  private int width = -1;
  private int height = -1;

  private SampleImage(byte[] bytes, Path path, RowSource source) {
    this.bytes = bytes;
    this.path = path;
    this.source = source;
  }

  /** An image whose encoded bytes are in the dataset; {@code path} (may be null) is informative. */
  public static SampleImage ofBytes(byte[] bytes, Path path, RowSource source) {
    return new SampleImage(bytes, path, source);
  }

  /** An image stored as a file; it must exist now (checked here so the error names the row). */
  public static SampleImage ofFile(Path file, RowSource source) {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(source + ": image file " + file + " not found");
    }
    return new SampleImage(null, file, source);
  }

  /** The encoded bytes (read from the file the first time when the dataset stores only a path). */
  public byte[] bytes() {
    if (bytes != null) {
      return bytes;
    }
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new VirftException(source + ": cannot read image file " + path + ": " + e.getMessage(), e);
    }
  }

  /** The file the image came from, or null when only bytes are stored. */
  public Path path() {
    return path;
  }

  public int width() {
    readSize();
    return width;
  }

  public int height() {
    readSize();
    return height;
  }

  /** Decodes the image (as stored: no colour conversion). */
  public BufferedImage decode() {
    // ImageLoader refuses decompression bombs and names the row in every error.
    BufferedImage img = dev.virft.processor.ImageLoader.decode(bytes(), source.toString());
    width = img.getWidth();
    height = img.getHeight();
    return img;
  }

  /** Reads only the header for the size, so listing sizes does not decode pixels. */
  private void readSize() {
    if (width >= 0) {
      return;
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes()))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new VirftException(source + ": image is not a decodable PNG/JPEG/BMP/GIF (unknown format)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new VirftException(source + ": cannot read the image header: " + e.getMessage(), e);
    }
  }
}
