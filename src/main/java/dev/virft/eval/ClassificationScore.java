package dev.virft.eval;

import java.util.List;
import java.util.Map;

/** Accuracy of a set of responses over a validation list. */
public record ClassificationScore(int total, int right, int strictRight, int noAnswer, int missing) {

  /**
   * Scores each validation item with its response (keyed by image path). A missing response or
   * one without answer tags counts as wrong; the denominator is the whole list, as the original's
   * {@code total_right / len(val_set)}.
   */
  public static ClassificationScore score(
      List<ClassificationValList.Item> items, Map<String, String> responses) {
    int right = 0, strict = 0, noAnswer = 0, missing = 0;
    for (ClassificationValList.Item it : items) {
      String response = responses.get(it.image());
      if (response == null) {
        missing++;
        continue;
      }
      if (ClassificationMetrics.answer(response) == null) {
        noAnswer++;
      }
      if (ClassificationMetrics.lenientCorrect(response, it.className())) {
        right++;
      }
      if (ClassificationMetrics.strictCorrect(response, it.className())) {
        strict++;
      }
    }
    return new ClassificationScore(items.size(), right, strict, noAnswer, missing);
  }

  /** The original's accuracy (bidirectional substring rule). */
  public double accuracy() {
    return total == 0 ? Double.NaN : (double) right / total;
  }

  /** Exact match of the normalized answer. */
  public double strictAccuracy() {
    return total == 0 ? Double.NaN : (double) strictRight / total;
  }
}
