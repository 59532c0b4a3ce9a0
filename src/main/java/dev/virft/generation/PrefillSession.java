package dev.virft.generation;

import org.bytedeco.pytorch.Tensor;

/**
 * A {@link DecodeSession} before decoding starts: {@link Generation} prefills each prompt into it,
 * alone and without its padding, and the prompt's cache then serves all its samples' rows.
 */
public interface PrefillSession extends DecodeSession {
  /**
   * Runs prompt {@code prompt} ({@code tokens}: its real ids, no padding) alone and copies its cache to
   * rows [row, row + count); prompts come in order.
   *
   * @return float32 logits [1, V] after its last token
   */
  Tensor prefill(int prompt, long[] tokens, int row, int count);

  /** Called once after every prompt's prefill, before the first {@link #step}. */
  void start();
}
