package dev.virft.rl;

import dev.virft.model.LossLogProbs;
import dev.virft.train.TrainableModel;
import org.bytedeco.pytorch.Tensor;

/**
 * What the trainers need from a model: sampling and differentiable completion log-probs, beside what
 * the training loop needs ({@link TrainableModel}). {@code P} is the model's encoded prompt (token ids, pixels, grid).
 * {@link QwenPolicy} adapts {@code QwenVLModel}; tests use a small model of their own.
 */
public interface PolicyModel<P> extends TrainableModel {
  /**
   * {@code numSamples} completions of one prompt: ids {@code [numSamples, T]}, right-padded with the
   * pad id after the first stop token (which is kept). Deterministic for a given {@code seed}.
   */
  Tensor generate(P prompt, int numSamples, Sampling sampling, long seed);

  /** Log-probs {@code [G, T]} of each completion row given the prompt; differentiable. */
  Tensor completionLogProbs(P prompt, Tensor completionIds);

  /**
   * As {@link #completionLogProbs}, for a loss whose gradient is taken by {@link LossLogProbs#backward}
   * (a model may do part of that backward by hand).
   */
  default LossLogProbs completionLogProbsForLoss(P prompt, Tensor completionIds) {
    return LossLogProbs.autograd(completionLogProbs(prompt, completionIds));
  }
}
