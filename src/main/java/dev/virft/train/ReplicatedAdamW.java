package dev.virft.train;

import java.util.LinkedHashMap;
import org.bytedeco.pytorch.Tensor;

/**
 * AdamW with its whole state on every rank: gradients all-reduced in buckets, then every rank takes
 * the identical step. With one process this is exactly {@link AdamW} after
 * {@link GradientClipping#clip}: no collective runs.
 */
public final class ReplicatedAdamW implements TrainOptimizer {
  private final LinkedHashMap<String, Tensor> params;
  private final AdamW adamw;
  private final Distributed dist;
  private final GradientBuckets buckets;

  public ReplicatedAdamW(LinkedHashMap<String, Tensor> params, AdamW.Hyper hyper, Distributed dist, long bucketElements) {
    this.params = params;
    this.adamw = new AdamW(params, hyper);
    this.dist = dist;
    this.buckets = dist.isDistributed() ? new GradientBuckets(params, bucketElements, dist.worldSize()) : null;
  }

  /** The single-process optimizer inside (its moments go into optimizer.safetensors). */
  public AdamW adamw() {
    return adamw;
  }

  @Override
  public void zeroGrad() {
    adamw.zeroGrad();
  }

  @Override
  public double reduceAndClip(double maxNorm) {
    if (buckets != null) {
      buckets.allReduce(dist);
    }
    return GradientClipping.clip(params.values(), maxNorm);
  }

  @Override
  public void step(double lr) {
    adamw.step(lr);
  }

  @Override
  public long stepCount() {
    return adamw.stepCount();
  }
}
