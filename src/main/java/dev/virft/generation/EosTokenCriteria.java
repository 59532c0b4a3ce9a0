package dev.virft.generation;

import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** transformers' {@code EosTokenCriteria}: a row is finished once it produced one of these ids. */
public final class EosTokenCriteria implements StoppingCriteria, AutoCloseable {
  private final long[] stopIds;
  private Tensor ids; // on the tokens' device, made on first use

  public EosTokenCriteria(long[] stopIds) {
    this.stopIds = stopIds.clone();
  }

  public boolean isEmpty() {
    return stopIds.length == 0;
  }

  public boolean isStop(long id) {
    for (long s : stopIds) {
      if (s == id) {
        return true;
      }
    }
    return false;
  }

  public long[] stopIds() {
    return stopIds.clone();
  }

  @Override
  public Tensor isDone(Tensor lastTokens) {
    if (ids == null) {
      ids = Tensors.longs(stopIds, stopIds.length).to(lastTokens.device(), torch.ScalarType.Long);
      ids.retainReference();
    }
    return torch.isin(lastTokens, ids);
  }

  @Override
  public void close() {
    if (ids != null) {
      ids.releaseReference();
      ids = null;
    }
  }
}
