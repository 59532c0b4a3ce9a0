package dev.virft.rl;

import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --log_completions}: every prompt, completion, parsed answer and reward as JSONL (the
 * original's DEBUG_MODE log, machine-readable). Unlike metrics.jsonl this file grows large, so it is
 * appended to, one whole line per write, flushed per step; on resume, lines of steps after the
 * checkpoint are dropped (atomically) so the file matches the resumed run.
 */
public final class CompletionLog implements AutoCloseable {
  public static final String FILE = "completions.jsonl";
  private final BufferedWriter out;

  public CompletionLog(Path outputDir, long resumedStep) {
    Path file = outputDir.resolve(FILE);
    try {
      Files.createDirectories(outputDir);
      if (Files.exists(file)) {
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank() && Json.COMPACT.readTree(line).path("step").asLong(Long.MAX_VALUE) <= resumedStep) {
            keep.add(line);
          }
        }
        AtomicFiles.writeString(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
      }
      out =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  public void write(Map<String, Object> record) {
    try {
      out.write(Json.line(record));
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
