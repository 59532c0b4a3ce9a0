package dev.virft.rl;

import org.bytedeco.pytorch.Tensor;

/**
 * One encoded chat prompt: ids and mask {@code [1, L]}, the image's pixel values and grid (null for a
 * text-only prompt), and the rendered chat text (one {@code <|image_pad|>} per image, before expansion).
 */
public record QwenPrompt(Tensor inputIds, Tensor attentionMask, Tensor pixelValues, long[][] gridThw, String text) {
  public int length() {
    return (int) inputIds.size(1);
  }
}
