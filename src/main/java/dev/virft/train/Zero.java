package dev.virft.train;

import java.util.LinkedHashMap;
import org.bytedeco.pytorch.Tensor;

/**
 * How optimizer state is spread over ranks, by DeepSpeed ZeRO stage: {@link #NONE} replicates it
 * (plain data parallel, and the one-process run); {@link #STAGE_1} and {@link #STAGE_2} shard the AdamW
 * moments and the reduced gradients ({@link ShardedAdamW}). Both run the same code: gradients are
 * reduce-scattered after the backward pass, so the full-size gradient buffers autograd accumulates
 * into stay allocated on every rank; memory-wise stage 2 is therefore stage 1 here (DeepSpeed's stage 2
 * reduces during the backward pass and frees them).
 */
public enum Zero {
  NONE(0),
  STAGE_1(1),
  STAGE_2(2);

  /** Elements per gradient bucket unless a DeepSpeed config's reduce_bucket_size says otherwise (200 MB of float32). */
  public static final long DEFAULT_BUCKET_ELEMENTS = 50_000_000L;

  public final int stage;

  Zero(int stage) {
    this.stage = stage;
  }

  public static Zero ofStage(int stage) {
    return switch (stage) {
      case 0 -> NONE;
      case 1 -> STAGE_1;
      case 2 -> STAGE_2;
      default -> throw new IllegalArgumentException("ZeRO stage " + stage);
    };
  }

  TrainOptimizer optimizer(
      LinkedHashMap<String, Tensor> params, AdamW.Hyper hyper, Distributed dist, long bucketElements) {
    if (this == NONE || !dist.isDistributed()) {
      return new ReplicatedAdamW(params, hyper, dist, bucketElements);
    }
    return new ShardedAdamW(params, hyper, dist, bucketElements);
  }
}
