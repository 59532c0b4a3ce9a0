package dev.virft.train;

import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per logging step. The whole file is rewritten atomically
 * from the history (kept in the trainer state) at every log, so a crash never leaves a torn line and
 * a resumed run's file holds exactly the steps up to the checkpoint plus the new ones.
 */
public final class MetricsLog {
  public static final String FILE = "metrics.jsonl";
  private final Path file;
  private final List<Map<String, Object>> history;

  public MetricsLog(Path outputDir, List<Map<String, Object>> history) {
    this.file = outputDir.resolve(FILE);
    this.history = history;
  }

  public void append(Map<String, Object> row) {
    history.add(row);
    StringBuilder sb = new StringBuilder();
    for (Map<String, Object> r : history) {
      sb.append(Json.line(r)).append('\n');
    }
    AtomicFiles.writeString(file, sb.toString());
  }

  public List<Map<String, Object>> history() {
    return history;
  }
}
