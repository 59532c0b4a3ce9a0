package dev.virft.generation;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code RepetitionPenaltyLogitsProcessor}: gathers the score of every id of the row's
 * input (duplicates and left padding included, as there), divides positive ones and multiplies
 * negative ones by the penalty, and scatters them back.
 */
public final class RepetitionPenaltyLogitsProcessor implements LogitsProcessor {
  private final double penalty;

  public RepetitionPenaltyLogitsProcessor(double penalty) {
    this.penalty = penalty;
  }

  @Override
  public Tensor process(Tensor inputIds, Tensor scores) {
    Tensor picked = scores.gather(1, inputIds);
    Tensor penalized = torch.where(picked.lt(new Scalar(0.0)), picked.mul(new Scalar(penalty)),
        picked.div(new Scalar(penalty)));
    return scores.scatter(1, inputIds, penalized);
  }
}
