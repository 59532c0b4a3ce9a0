package dev.virft.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.bytedeco.pytorch.Tensor;

/**
 * What the training loop and its checkpoints need from a model, whatever the objective: the
 * parameters to optimise, a hook after each optimizer step, and saving. GRPO's
 * {@code rl.PolicyModel} adds sampling and log-probs on top.
 */
public interface TrainableModel {
  /** The float32 master parameters to optimise, by hub name, in a stable order; requires_grad set. */
  LinkedHashMap<String, Tensor> trainableParameters();

  /** Called after each optimizer step (e.g. to refresh a bf16 compute copy of the masters). */
  default void afterOptimizerStep() {}

  /** Writes the model in the hub layout (config.json + safetensors). */
  void save(Path dir);
}
