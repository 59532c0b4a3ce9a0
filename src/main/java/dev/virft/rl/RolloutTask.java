package dev.virft.rl;

import java.util.List;
import java.util.Map;

/**
 * The task side of GRPO for examples of type {@code E}: prompt encoding (tokenizer, chat template,
 * image processor), decoding, and the reward functions whose sum is the reward.
 */
public interface RolloutTask<E, P> {
  /** Encodes the example's prompt; throws a VirftException when it cannot be used as is. */
  P encode(E example);

  /** Completion text without special tokens (the original's {@code skip_special_tokens=True}). */
  String decode(long[] completionIds);

  /** Reward function names, in the order of {@link #rewards}. */
  List<String> rewardNames();

  /** One value per reward function for one completion. */
  double[] rewards(E example, String completion);

  /** The reward that drives the advantages: the sum of the values (a weighted sum where weights exist). */
  default double total(double[] values) {
    double t = 0;
    for (double v : values) {
      t += v;
    }
    return t;
  }

  /** Prompt text for the completion log. */
  String promptText(E example);

  /** Extra fields for the completion log (e.g. the parsed answer, the solution). */
  default Map<String, Object> logFields(E example, String completion) {
    return Map.of();
  }
}
