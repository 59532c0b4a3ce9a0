package dev.virft.reward;

import java.util.Map;

/** A user reward discovered through META-INF/services in the test class path (plug-in example). */
public final class LengthPenaltyTestReward implements Reward {
  @Override
  public String name() {
    return "test_length_penalty";
  }

  @Override
  public double score(String completion, String solution, Map<String, ?> columns) {
    Object limit = columns.get("max_chars");
    int max = limit instanceof Number n ? n.intValue() : 100;
    return completion.length() <= max ? 0.0 : -1.0;
  }

  @Override
  public double minScore() {
    return -1.0;
  }

  @Override
  public double maxScore() {
    return 0.0;
  }
}
