package dev.virft.data.build;

import java.io.PrintStream;
import java.util.IntSummaryStatistics;
import java.util.Map;

/**
 * What a builder made: rows, distinct images, rows per category (class), negative ("No Objects") rows.
 *
 * @param perCategory positive rows (shots) per category, in build order; empty when rows have no category
 */
public record BuildSummary(long rows, long images, Map<String, Integer> perCategory, long negatives) {
  public BuildSummary {
    perCategory = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perCategory));
  }

  public void print(PrintStream out) {
    IntSummaryStatistics shots = perCategory.values().stream().mapToInt(Integer::intValue).summaryStatistics();
    out.printf("rows: %d%n", rows);
    out.printf("images: %d%n", images);
    if (!perCategory.isEmpty()) {
      out.printf("categories: %d%n", perCategory.size());
      out.printf("shots per category: %s%n",
          shots.getMin() == shots.getMax() ? String.valueOf(shots.getMin()) : shots.getMin() + "-" + shots.getMax());
    }
    if (negatives > 0) out.printf("negative rows: %d%n", negatives);
  }
}
