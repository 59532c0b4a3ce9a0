package dev.virft.rl;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The GRPO surrogate loss of one micro-batch (spec §4.2 steps 6 and 9, plus TRL's later variants).
 *
 * <p>Per token: {@code -(ratio * A - beta * kl)} with the k3 estimator
 * {@code kl = exp(ref - logp) - (ref - logp) - 1}. With a single update per generation (the original,
 * {@code num_iterations = 1}) {@code ratio = exp(logp - logp.detach())}, which is 1 in value and gives
 * the policy gradient. With {@code oldLogps} (num_iterations > 1) the PPO clipped objective is used:
 * {@code -min(ratio * A, clamp(ratio, 1 - eps, 1 + epsHigh) * A)}.
 *
 * <p>Aggregation ({@link LossType}): {@code grpo} = mean over sequences of the per-sequence masked token
 * mean; {@code dapo} = masked token sum / masked token count; {@code dr_grpo} = masked token sum /
 * (sequences x max_completion_length). The trainer then weights micro-batches so that the optimizer
 * step sees the same aggregation over its whole batch (see {@link #microBatchWeight}).
 */
public final class GrpoLoss {
  /** Settings of the loss. {@code beta == 0} means no KL term (and no reference model). */
  public record Config(
      LossType type, double beta, double epsilonLow, double epsilonHigh, int maxCompletionLength) {}

  /** The differentiable loss and detached diagnostics. */
  public record Result(Tensor loss, double meanKl, double clipRatio, long activeTokens) {}

  private GrpoLoss() {}

  /**
   * @param logps policy log-probs of the completion tokens {@code [B, T]}, differentiable
   * @param oldLogps log-probs at generation time {@code [B, T]} or null for a single on-policy update
   * @param refLogps reference model log-probs {@code [B, T]}; ignored (may be null) when beta is 0
   * @param mask completion mask {@code [B, T]} as 0/1 floats
   * @param advantages {@code [B]}
   */
  public static Result compute(
      Tensor logps, Tensor oldLogps, Tensor refLogps, Tensor mask, Tensor advantages, Config cfg) {
    // Rollout data (old/reference log-probs, mask, advantages) comes from host arrays: bring it to
    // wherever the policy ran.
    org.bytedeco.pytorch.Device dev = logps.device();
    torch.ScalarType type = logps.scalar_type();
    Tensor adv = advantages.to(dev, type).unsqueeze(1);
    Tensor maskF = mask.to(dev, type);
    oldLogps = oldLogps == null ? null : oldLogps.to(dev, type);
    refLogps = refLogps == null ? null : refLogps.to(dev, type);
    Tensor ratio = torch.exp(logps.sub(oldLogps == null ? logps.detach() : oldLogps));
    Tensor objective;
    double clipRatio = 0.0;
    if (oldLogps == null) {
      objective = ratio.mul(adv);
    } else {
      Tensor clipped =
          torch.clamp(
              ratio,
              new ScalarOptional(new Scalar(1.0 - cfg.epsilonLow())),
              new ScalarOptional(new Scalar(1.0 + cfg.epsilonHigh())));
      objective = torch.minimum(ratio.mul(adv), clipped.mul(adv));
      Tensor r = ratio.detach();
      Tensor low = r.lt(new Scalar(1.0 - cfg.epsilonLow())).logical_and(adv.lt(new Scalar(0.0)));
      Tensor high = r.gt(new Scalar(1.0 + cfg.epsilonHigh())).logical_and(adv.gt(new Scalar(0.0)));
      Tensor isClipped = low.logical_or(high).to(logps.scalar_type());
      clipRatio = isClipped.mul(maskF).sum().item_double() / Math.max(1.0, maskF.sum().item_double());
    }
    Tensor perToken = objective.neg();
    double meanKl = 0.0;
    if (cfg.beta() != 0.0) {
      Tensor delta = refLogps.sub(logps);
      Tensor kl = torch.exp(delta).sub(delta).sub(new Scalar(1.0));
      perToken = perToken.add(kl.mul(new Scalar(cfg.beta())));
      meanKl = sequenceMean(kl.detach(), maskF).mean().item_double();
    }
    long active = (long) maskF.sum().item_double();
    Tensor loss =
        switch (cfg.type()) {
          case GRPO -> sequenceMean(perToken, maskF).mean();
          case DAPO -> perToken.mul(maskF).sum().div(new Scalar(Math.max(1.0, active)));
          case DR_GRPO ->
              perToken
                  .mul(maskF)
                  .sum()
                  .div(new Scalar((double) logps.size(0) * cfg.maxCompletionLength()));
        };
    return new Result(loss, meanKl, clipRatio, active);
  }

  /**
   * Factor applied to a micro-batch's loss before backward so that the accumulated gradient is the
   * gradient of the loss over the whole optimizer step: equal micro-batches of sequences for grpo and
   * dr_grpo (what HF does by dividing by the accumulation steps), token share for dapo.
   */
  public static double microBatchWeight(
      LossType type, int accumulationSteps, long microTokens, long stepTokens) {
    if (type == LossType.DAPO) {
      return stepTokens == 0 ? 0.0 : (double) microTokens / stepTokens;
    }
    return 1.0 / accumulationSteps;
  }

  /** Per-sequence masked mean {@code [B]}; a fully masked row counts as 0 (not NaN). */
  static Tensor sequenceMean(Tensor perToken, Tensor mask) {
    Tensor count = torch.clamp_min(mask.sum(1), new Scalar(1.0));
    return perToken.mul(mask).sum(1).div(count);
  }
}
