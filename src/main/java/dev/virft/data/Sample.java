package dev.virft.data;

import java.util.Map;

/**
 * One training/evaluation row: the image, the user text ({@code problem}), the ground truth
 * ({@code solution}), and every other column of the dataset (kept for reward functions, as TRL
 * passes all columns to them).
 *
 * @param columns other columns, values as plain Java: String, Long, Double, Boolean, byte[], List, Map
 *     (unmodifiable; may be empty)
 * @param source file and row, for error messages
 */
public record Sample(
    SampleImage image, String problem, String solution, Map<String, Object> columns, RowSource source) {

  public Sample {
    columns = Map.copyOf(columns);
  }

  public int width() {
    return image.width();
  }

  public int height() {
    return image.height();
  }
}
