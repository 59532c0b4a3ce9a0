package dev.virft.processor;

import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * A batch ready for the model, as transformers' Qwen2-VL processor returns it.
 *
 * @param inputIds int64 {@code [batch, length]}, left padded with the pad id
 * @param attentionMask int64 {@code [batch, length]}, 0 on padding, 1 elsewhere
 * @param mmTokenTypeIds int64 {@code [batch, length]}, 1 where the token is {@code <|image_pad|>}
 * @param pixelValues float32 {@code [patches, 1176]} of every image of the batch in order, or null
 *     when the batch has no image
 * @param imageGridThw one {@code (t, h, w)} per image, in the same order (empty when no image)
 * @param ids the unpadded ids of each sample (image pads expanded)
 * @param padId the id used for padding
 */
public record ProcessorOutput(
    Tensor inputIds,
    Tensor attentionMask,
    Tensor mmTokenTypeIds,
    Tensor pixelValues,
    long[][] imageGridThw,
    long[][] ids,
    long padId) {

  public int batchSize() {
    return ids.length;
  }

  /** Padded length {@code L}. */
  public int length() {
    return (int) inputIds.size(1);
  }

  /** Number of left-padding positions of sample {@code i}. */
  public int padding(int i) {
    return length() - ids[i].length;
  }

  /** {@code image_grid_thw} as an int64 tensor {@code [images, 3]}, or null when there is no image. */
  public Tensor imageGridThwTensor() {
    if (imageGridThw.length == 0) {
      return null;
    }
    long[] flat = new long[imageGridThw.length * 3];
    for (int i = 0; i < imageGridThw.length; i++) {
      System.arraycopy(imageGridThw[i], 0, flat, i * 3, 3);
    }
    return Tensors.longs(flat, imageGridThw.length, 3);
  }
}
