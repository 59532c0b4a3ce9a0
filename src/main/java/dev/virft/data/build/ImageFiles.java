package dev.virft.data.build;

import dev.virft.data.RowSource;
import dev.virft.data.SampleImage;
import dev.virft.util.VirftException;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** Image loading for builders, and the k-shot sampler they share. */
public final class ImageFiles {
  private ImageFiles() {}

  /**
   * The image of a built row. By default re-encoded as an RGBA PNG, as the original's
   * build_dataset.ipynb does ({@code Image.open(p).convert('RGBA')}, stored by HF as PNG); JPEG
   * decoders can differ by a level here and there, so pixels may not be bit-identical to PIL's.
   * {@code keepEncoding} stores the file's bytes as they are (smaller, faster).
   */
  public static SampleImage load(Path file, boolean keepEncoding, RowSource src) {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(src + ": image file " + file + " not found");
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      return SampleImage.ofBytes(keepEncoding ? bytes : rgbaPng(bytes, src), file, src);
    } catch (IOException e) {
      throw new VirftException(src + ": cannot read image file " + file + ": " + e.getMessage(), e);
    }
  }

  static byte[] rgbaPng(byte[] encoded, RowSource src) throws IOException {
    BufferedImage in = ImageIO.read(new java.io.ByteArrayInputStream(encoded));
    if (in == null) {
      throw new VirftException(src + ": image is not a decodable PNG/JPEG/BMP/GIF");
    }
    BufferedImage rgba = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_4BYTE_ABGR);
    Graphics2D g = rgba.createGraphics();
    g.drawImage(in, 0, 0, null);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(rgba, "png", out);
    return out.toByteArray();
  }

  /**
   * Up to {@code k} items chosen uniformly by {@code seed} (Fisher–Yates on a copy), in the order
   * drawn; {@code k <= 0} keeps all in their order.
   */
  public static <T> List<T> kShot(List<T> items, int k, SplittableRandom rng) {
    if (k <= 0) {
      return List.copyOf(items);
    }
    java.util.ArrayList<T> copy = new java.util.ArrayList<>(items);
    int n = Math.min(k, copy.size());
    for (int i = 0; i < n; i++) {
      int j = i + rng.nextInt(copy.size() - i);
      T t = copy.get(i);
      copy.set(i, copy.get(j));
      copy.set(j, t);
    }
    return List.copyOf(copy.subList(0, n));
  }
}
