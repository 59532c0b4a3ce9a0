package dev.virft.model;

/**
 * Generated completions: {@code tokens[i]} has {@code lengths[i]} real tokens (including the stop
 * token when one was produced) followed by the pad id up to the longest row. Rows are prompt-major:
 * row {@code p * numReturnSequences + s} is sample {@code s} of prompt {@code p}.
 */
public record GenerationOutput(long[][] tokens, int[] lengths) {
  /** As an int64 tensor [rows, maxLength]. */
  public org.bytedeco.pytorch.Tensor tensor() {
    return dev.virft.tensor.Tensors.longs2d(tokens);
  }
}
