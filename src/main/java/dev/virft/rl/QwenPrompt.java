package dev.virft.rl;

import org.bytedeco.pytorch.Tensor;

/**
 * One encoded chat prompt: ids and mask {@code [1, L]}, and the image's pixel values and grid (null
 * for a text-only prompt).
 */
public record QwenPrompt(Tensor inputIds, Tensor attentionMask, Tensor pixelValues, long[][] gridThw, String text) {
  public int length() {
    return (int) inputIds.size(1);
  }
}
