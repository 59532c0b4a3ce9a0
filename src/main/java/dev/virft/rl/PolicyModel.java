package dev.virft.rl;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.bytedeco.pytorch.Tensor;

/**
 * What the trainers need from a model: sampling, differentiable completion log-probs, the parameters
 * to optimise, and saving. {@code P} is the model's encoded prompt (token ids, pixels, grid).
 * {@link QwenPolicy} adapts {@code QwenVLModel}; tests use a small model of their own.
 */
public interface PolicyModel<P> {
  /** The float32 master parameters to optimise, by hub name, in a stable order; requires_grad set. */
  LinkedHashMap<String, Tensor> trainableParameters();

  /**
   * {@code numSamples} completions of one prompt: ids {@code [numSamples, T]}, right-padded with the
   * pad id after the first stop token (which is kept). Deterministic for a given {@code seed}.
   */
  Tensor generate(P prompt, int numSamples, Sampling sampling, long seed);

  /** Log-probs {@code [G, T]} of each completion row given the prompt; differentiable. */
  Tensor completionLogProbs(P prompt, Tensor completionIds);

  /** Called after each optimizer step (e.g. to refresh a bf16 compute copy of the masters). */
  default void afterOptimizerStep() {}

  /** Writes the model in the hub layout (config.json + safetensors). */
  void save(Path dir);
}
