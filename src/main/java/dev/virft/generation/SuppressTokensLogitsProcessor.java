package dev.virft.generation;

import dev.virft.tensor.Tensors;
import java.util.Arrays;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** transformers' {@code SuppressTokensLogitsProcessor}: these ids score -inf (one indexed fill). */
public final class SuppressTokensLogitsProcessor implements LogitsProcessor {
  private final long[] ids;
  private Tensor index; // on the scores' device, made on first use

  public SuppressTokensLogitsProcessor(long[] ids) {
    this.ids = ids.clone();
  }

  @Override
  public Tensor process(Tensor inputIds, Tensor scores) {
    if (index == null) {
      long vocab = scores.size(-1);
      long[] inRange = Arrays.stream(ids).filter(id -> id >= 0 && id < vocab).toArray();
      if (inRange.length == 0) {
        return scores;
      }
      index = Tensors.longs(inRange, inRange.length).to(scores.device(), torch.ScalarType.Long);
      index.retainReference(); // outlives the step's PointerScope; released in close()
    }
    return scores.index_fill_(1, index, new Scalar(Float.NEGATIVE_INFINITY));
  }

  /** Frees the index tensor. */
  public void close() {
    if (index != null) {
      index.releaseReference();
      index = null;
    }
  }
}
