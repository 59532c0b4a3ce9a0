package dev.virft.reward;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Each selected reward's value for one completion, and their weighted sum. */
public record RewardScores(List<String> names, double[] values, double total) {
  public Map<String, Double> asMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      m.put(names.get(i), values[i]);
    }
    return m;
  }
}
