package dev.virft.train;

/**
 * The optimizer as the loop drives it: reduce the step's gradients over ranks, clip them by their
 * global norm, apply AdamW. {@link ReplicatedAdamW} keeps the whole state on every rank (plain data
 * parallel, and the one-process case); {@link ShardedAdamW} splits it over ranks (ZeRO stage 1/2).
 */
public interface TrainOptimizer {
  void zeroGrad();

  /**
   * Sums the gradients over ranks, scales them to a global 2-norm of at most {@code maxNorm}
   * ({@code torch.nn.utils.clip_grad_norm_}; none when {@code maxNorm <= 0}) and returns the norm
   * before clipping: NaN or infinite when a gradient is not finite, the same on every rank.
   */
  double reduceAndClip(double maxNorm);

  void step(double lr);

  /** Optimizer steps taken so far (AdamW's bias-correction counter). */
  long stepCount();
}
