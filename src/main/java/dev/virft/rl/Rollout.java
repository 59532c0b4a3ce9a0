package dev.virft.rl;

import dev.virft.tensor.Tensors;
import java.util.List;
import java.util.Map;

/**
 * One round's generated and scored completions on this rank (TRL's
 * {@code _generate_and_score_completions} output), immutable once made: the loss of every optimizer
 * step of the round is computed from it. Native tensors never outlive the generation phase; what is
 * kept are host arrays.
 *
 * @param groups this rank's prompts with their G completions each
 * @param globalGroups prompts in the round over all ranks (the grpo / dr_grpo normaliser)
 * @param globalTokens completion tokens in the round over all ranks (dapo's normaliser)
 * @param metrics the global batch's rollout metrics, in log order
 * @param reward mean reward of the global batch (for the progress bar)
 */
public record Rollout<E>(
    List<Group<E>> groups, int globalGroups, long globalTokens, Map<String, Object> metrics, double reward) {

  /** One prompt's G completions: ids, mask, advantages and the log-probs the loss needs, as {@code [G, T]}. */
  public record Group<E>(
      E example,
      int rows,
      int cols,
      long[] ids,
      float[] mask,
      float[] advantages,
      float[] refLogps,
      float[] oldLogps,
      long tokens) {
    org.bytedeco.pytorch.Tensor idsTensor() {
      return Tensors.longs(ids, rows, cols);
    }

    org.bytedeco.pytorch.Tensor floats(float[] v) {
      return v == null ? null : Tensors.floats(v, rows, cols);
    }
  }
}
