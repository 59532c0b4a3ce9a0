package dev.virft.generation;

import org.bytedeco.pytorch.Tensor;

/**
 * A causal model mid-generation: a prefilled KV cache for {@code rows()} rows. {@link DecodeLoop}
 * feeds it one token per row per step and may drop finished rows.
 */
public interface DecodeSession extends AutoCloseable {
  /** Current number of rows. */
  int rows();

  /**
   * One decode step: each row's next input token ({@code tokens} [rows], int64, on the model's
   * device) is appended; returns float32 logits [rows, V] of the position after it.
   */
  Tensor step(Tensor tokens);

  /** Keeps only these rows ({@code rows} [k], int64 indices into the current rows, ascending). */
  void keepRows(Tensor rows);

  @Override
  void close();
}
