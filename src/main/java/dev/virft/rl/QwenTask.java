package dev.virft.rl;

import dev.virft.data.Sample;
import dev.virft.reward.RewardScores;
import dev.virft.reward.RewardSelection;
import java.util.List;
import java.util.Map;

/** The Visual-RFT task: prompts from dataset samples, completions scored by the selected rewards. */
public final class QwenTask implements RolloutTask<Sample, QwenPrompt> {
  private final QwenPromptEncoder encoder;
  private final RewardSelection rewards;

  public QwenTask(QwenPromptEncoder encoder, RewardSelection rewards) {
    this.encoder = encoder;
    this.rewards = rewards;
  }

  @Override
  public QwenPrompt encode(Sample example) {
    return encoder.encode(example);
  }

  @Override
  public String decode(long[] completionIds) {
    return encoder.tokenizer().decode(completionIds, true);
  }

  @Override
  public List<String> rewardNames() {
    return rewards.names();
  }

  @Override
  public double[] rewards(Sample example, String completion) {
    RewardScores r = rewards.score(completion, example.solution(), example.columns());
    return r.values();
  }

  @Override
  public double total(double[] values) {
    double t = 0;
    for (int i = 0; i < values.length; i++) {
      t += rewards.entries().get(i).weight() * values[i];
    }
    return t;
  }

  @Override
  public String promptText(Sample example) {
    return example.problem();
  }

  @Override
  public Map<String, Object> logFields(Sample example, String completion) {
    return Map.of("solution", example.solution() == null ? "" : example.solution(), "answer", answerOf(completion));
  }

  /** The text inside the last {@code <answer>...</answer>} (what the accuracy rewards parse), or "". */
  static String answerOf(String completion) {
    int end = completion.lastIndexOf("</answer>");
    int start = end < 0 ? -1 : completion.lastIndexOf("<answer>", end);
    return start < 0 ? "" : completion.substring(start + "<answer>".length(), end).strip();
  }
}
