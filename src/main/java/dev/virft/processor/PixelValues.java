package dev.virft.processor;

import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * The image processor's output for a list of images: {@code pixelValues} float32 {@code [patches,
 * channels*temporal*patch*patch]} (all images concatenated in order) and one {@code (t, h, w)} patch
 * grid per image, as transformers' {@code pixel_values} / {@code image_grid_thw}.
 */
public record PixelValues(Tensor pixelValues, long[][] gridThw, int mergeSize) {
  /** Number of {@code <|image_pad|>} tokens image {@code i} takes: t*h*w / merge². */
  public int tokens(int i) {
    long[] g = gridThw[i];
    return (int) (g[0] * g[1] * g[2] / ((long) mergeSize * mergeSize));
  }

  public int images() {
    return gridThw.length;
  }

  /** {@code image_grid_thw} as an int64 tensor {@code [images, 3]}. */
  public Tensor gridTensor() {
    long[] flat = new long[gridThw.length * 3];
    for (int i = 0; i < gridThw.length; i++) {
      System.arraycopy(gridThw[i], 0, flat, i * 3, 3);
    }
    return Tensors.longs(flat, gridThw.length, 3);
  }
}
