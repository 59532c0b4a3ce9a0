package dev.virft.inference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.VirftException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Answers every query of an evaluation: those already in the answers log are taken from it, the
 * rest are sent to the model {@code batchSize} at a time in the given order, each batch appended to
 * the log as soon as it is answered. The model is loaded only when something is left to answer.
 */
public final class BatchedAnswers {
  private BatchedAnswers() {}

  public static Map<String, String> run(List<ModelQuery> queries, Supplier<VisionChat> model, AnswerLog log,
      int batchSize, PrintWriter progress) {
    if (batchSize < 1) {
      throw new VirftException("--batch_size is " + batchSize + ", expected >= 1");
    }
    Set<String> keys = new HashSet<>();
    List<ModelQuery> todo = new ArrayList<>();
    for (ModelQuery q : queries) {
      if (!keys.add(q.key())) {
        throw new IllegalArgumentException("duplicate query key " + q.key());
      }
      if (!log.done().containsKey(q.key())) {
        todo.add(q);
      }
    }
    List<ModelQuery> missing = todo.stream().filter(q -> !Files.isRegularFile(q.image())).toList();
    if (!missing.isEmpty()) {
      // Checked before the model loads, so a wrong --images folder fails in a second, not mid-run.
      throw new VirftException(missing.get(0).image() + ": image file not found (query " + missing.get(0).key()
          + "; " + missing.size() + " of " + todo.size() + " images to ask about are missing)");
    }
    if (log.droppedBytes() > 0) {
      progress.printf(Locale.ROOT, "%s: dropped a partly written last line (%d bytes)%n", log.file(), log.droppedBytes());
    }
    progress.printf(Locale.ROOT, "%d queries: %d answered in %s, %d to run%n",
        queries.size(), queries.size() - todo.size(), log.file(), todo.size());
    progress.flush();
    if (!todo.isEmpty()) {
      try (VisionChat chat = model.get()) {
        long start = System.nanoTime();
        int batches = (todo.size() + batchSize - 1) / batchSize;
        for (int b = 0; b < batches; b++) {
          List<ModelQuery> batch = todo.subList(b * batchSize, Math.min(todo.size(), (b + 1) * batchSize));
          log.append(batch, chat.answer(batch));
          int answered = Math.min(todo.size(), (b + 1) * batchSize);
          double secs = (System.nanoTime() - start) / 1e9;
          progress.printf(Locale.ROOT, "batch %d/%d: %d/%d answered, %.2f queries/s%n",
              b + 1, batches, answered, todo.size(), answered / secs);
          progress.flush();
        }
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (ModelQuery q : queries) {
      JsonNode n = log.done().get(q.key());
      out.put(q.key(), n.get("answer").asText());
    }
    return out;
  }
}
