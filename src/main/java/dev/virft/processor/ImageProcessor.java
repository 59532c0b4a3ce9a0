package dev.virft.processor;

import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.kBicubic;

/**
 * Qwen2-VL / Qwen2.5-VL image processor, numerically the same as transformers 5.x's default
 * {@code Qwen2VLImageProcessor} (torchvision backend):
 *
 * <ol>
 *   <li>to RGB (alpha composited over white, see {@link RgbImage});
 *   <li>{@link SmartResize} to multiples of patch*merge within [min_pixels, max_pixels];
 *   <li>bicubic resize of the uint8 image: libtorch's antialiased bicubic kernel on uint8, exactly what
 *       torchvision runs on CPU for uint8 input ({@link ResizeMode#TORCH}), or PIL's ({@link
 *       ResizeMode#PIL});
 *   <li>rescale and normalise fused as transformers fuses them: {@code (x - mean*255) / (std*255)} in
 *       float32;
 *   <li>the frame repeated to {@code temporal_patch_size} and cut into patches in transformers' order:
 *       {@code [t, h/m, w/m, m, m] x [c, temporal, patch, patch]}.
 * </ol>
 */
public final class ImageProcessor {
  private final ImageProcessorConfig config;

  public ImageProcessor(ImageProcessorConfig config) {
    this.config = config;
  }

  /** Settings from {@code dir/preprocessor_config.json}, transformers' defaults when it is absent. */
  public static ImageProcessor fromCheckpoint(Path dir) {
    return new ImageProcessor(ImageProcessorConfig.fromCheckpoint(dir));
  }

  public ImageProcessorConfig config() {
    return config;
  }

  public ImageProcessor withPixels(long minPixels, long maxPixels) {
    return new ImageProcessor(config.withPixels(minPixels, maxPixels));
  }

  public ImageProcessor withResizeMode(ResizeMode mode) {
    return new ImageProcessor(config.withResizeMode(mode));
  }

  /** {@code {height, width}} an image of this size is resized to. */
  public int[] resizedSize(int height, int width) {
    if (!config.doResize()) {
      return new int[] {height, width};
    }
    return SmartResize.compute(height, width, config.patchSize() * config.mergeSize(), config.minPixels(),
        config.maxPixels());
  }

  public PixelValues process(List<BufferedImage> images) {
    List<RgbImage> rgb = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      rgb.add(RgbImage.of(images.get(i), "image " + i));
    }
    return processRgb(rgb);
  }

  public PixelValues processFiles(List<Path> files) {
    List<RgbImage> rgb = new ArrayList<>(files.size());
    for (Path f : files) {
      rgb.add(ImageLoader.readRgb(f));
    }
    return processRgb(rgb);
  }

  public PixelValues processRgb(List<RgbImage> images) {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no images to process");
    }
    long[][] grids = new long[images.size()][];
    Tensor out;
    try (PointerScope scope = new PointerScope()) {
      List<Tensor> parts = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        long[] grid = new long[3];
        parts.add(patches(images.get(i), grid));
        grids[i] = grid;
      }
      // TensorVector.get() returns a reference into the vector, so a single part is taken directly.
      out = Tensors.keep(scope, parts.size() == 1 ? parts.get(0) : torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0));
    }
    return new PixelValues(Tensors.adopt(out), grids, config.mergeSize());
  }

  /** One image's {@code [t*h*w, c*temporal*patch*patch]} patches; its grid goes into {@code grid}. */
  private Tensor patches(RgbImage img, long[] grid) {
    int[] size = resizedSize(img.height(), img.width());
    int rh = size[0];
    int rw = size[1];
    int ps = config.patchSize();
    int m = config.mergeSize();
    int tps = config.temporalPatchSize();
    if (rh % (ps * m) != 0 || rw % (ps * m) != 0) {
      throw new VirftException("image " + img.width() + "x" + img.height() + " must be resized to multiples of "
          + ps * m + " (do_resize is off)");
    }
    Tensor u8 = resize(img, rh, rw);
    Tensor x = normalize(u8);
    Tensor frames = x.unsqueeze(1); // [1, 1, 3, rh, rw]
    if (tps > 1) {
      frames = torch.cat(new TensorVector(frames, frames.select(1, 0).unsqueeze(1).repeat(1, tps - 1, 1, 1, 1)), 1);
    }
    long gt = 1;
    long gh = rh / ps;
    long gw = rw / ps;
    grid[0] = gt;
    grid[1] = gh;
    grid[2] = gw;
    return frames
        .reshape(1, gt, tps, 3, gh / m, m, ps, gw / m, m, ps)
        .permute(0, 1, 4, 7, 5, 8, 3, 2, 6, 9)
        .reshape(gt * gh * gw, 3L * tps * ps * ps);
  }

  /** uint8 {@code [1, 3, rh, rw]}. */
  private Tensor resize(RgbImage img, int rh, int rw) {
    int h = img.height();
    int w = img.width();
    if (config.resizeMode() == ResizeMode.PIL) {
      RgbImage r = (rh == h && rw == w) ? img : PilBicubic.resize(img, rw, rh);
      return Tensors.bytes(r.hwc(), 1, rh, rw, 3).permute(0, 3, 1, 2);
    }
    // HWC memory viewed as NCHW: the channels-last strides torchvision's pil_to_tensor gives.
    Tensor u8 = Tensors.bytes(img.hwc(), 1, h, w, 3).permute(0, 3, 1, 2);
    if (rh == h && rw == w) {
      return u8; // torchvision returns the image untouched when the size does not change
    }
    InterpolateFuncOptions o = new InterpolateFuncOptions();
    o.size().put(new LongVector(rh, rw));
    o.mode().put(new kBicubic());
    o.align_corners().put(false);
    o.antialias().put(true);
    return torch.interpolate(u8, o);
  }

  /** transformers' fused rescale + normalise, in float32 with the same operation order. */
  private Tensor normalize(Tensor u8) {
    if (config.doNormalize()) {
      Tensor mean = Tensors.floats(toFloats(config.imageMean()), 3);
      Tensor std = Tensors.floats(toFloats(config.imageStd()), 3);
      if (config.doRescale()) {
        mean = mean.mul(new Scalar(1.0 / config.rescaleFactor()));
        std = std.mul(new Scalar(1.0 / config.rescaleFactor()));
      }
      return u8.to(torch.ScalarType.Float).sub(mean.view(-1, 1, 1)).div(std.view(-1, 1, 1));
    }
    if (config.doRescale()) {
      return u8.mul(new Scalar(config.rescaleFactor()));
    }
    return u8.to(torch.ScalarType.Float);
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
