package dev.virft.rl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A task the toy policy can learn: the prompt is a letter a..e, and the answer should be that same
 * letter followed by the stop token. Rewards: "match" (first letter right) and "short" (stopped
 * after one letter), so the maximum total reward is 2.
 */
class ToyTask implements RolloutTask<Integer, long[]> {
  static List<Integer> data(int n) {
    List<Integer> d = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      d.add(i % 5);
    }
    return d;
  }

  @Override
  public long[] encode(Integer example) {
    return new long[] {example};
  }

  @Override
  public String decode(long[] ids) {
    StringBuilder sb = new StringBuilder();
    for (long t : ids) {
      if (t < 5) {
        sb.append((char) ('a' + t));
      } else if (t == 7) {
        sb.append('?');
      }
    }
    return sb.toString();
  }

  @Override
  public List<String> rewardNames() {
    return List.of("match", "short");
  }

  @Override
  public double[] rewards(Integer example, String completion) {
    String want = String.valueOf((char) ('a' + example));
    return new double[] {completion.startsWith(want) ? 1.0 : 0.0, completion.length() == 1 ? 1.0 : 0.0};
  }

  @Override
  public String promptText(Integer example) {
    return "say " + (char) ('a' + example);
  }

  @Override
  public Map<String, Object> logFields(Integer example, String completion) {
    return Map.of("answer", completion.isEmpty() ? "" : completion.substring(0, 1));
  }
}
