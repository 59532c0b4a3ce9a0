package dev.virft.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Keys and values of one prompt shared by the G completions that follow it, differentiably: the first
 * pass (the prompt, one row) records each layer's keys/values; the second (the completions, G rows)
 * attends over them expanded to G rows (a view; autograd sums the G gradients back into the one
 * prompt) followed by its own. The prompt's layers then run once instead of G times, forward and
 * backward, for the same values as a pass over G copies of prompt + completion.
 */
final class SharedPromptKV implements dev.virft.model.text.KeyValues {
  private final Tensor[] keys;
  private final Tensor[] values;
  private int rows; // 0 while recording the prompt

  SharedPromptKV(int layers) {
    keys = new Tensor[layers];
    values = new Tensor[layers];
  }

  /** Ends the prompt pass: the next pass has {@code g} rows. */
  void expandTo(int g) {
    rows = g;
  }

  @Override
  public Tensor[] append(int layer, Tensor k, Tensor v) {
    if (rows == 0) {
      keys[layer] = k;
      values[layer] = v;
      return new Tensor[] {k, v};
    }
    Tensor pk = keys[layer].expand(rows, -1, -1, -1);
    Tensor pv = values[layer].expand(rows, -1, -1, -1);
    return new Tensor[] {torch.cat(new TensorVector(pk, k), 2), torch.cat(new TensorVector(pv, v), 2)};
  }
}
