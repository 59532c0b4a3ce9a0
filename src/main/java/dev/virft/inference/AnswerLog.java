package dev.virft.inference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw answers of an evaluation, one JSON line per query ({@code {"key", "answer", ...fields}})
 * after a header line naming the run ({@code {"virft_answers": {model, task, ...}}}). Each batch is
 * appended and forced to disk before the next one starts, so an interrupted evaluation loses at most
 * the batch in flight; reopening it drops a partly written last line and returns what is there, and
 * refuses a file written by a different run (another model, task or generation setting), whose
 * answers must not be mixed with this one's.
 */
public final class AnswerLog implements AutoCloseable {
  private static final String HEADER = "virft_answers";

  private final Path file;
  private final Map<String, JsonNode> done;
  private final FileChannel channel;
  private final int dropped;

  private AnswerLog(Path file, Map<String, JsonNode> done, FileChannel channel, int dropped) {
    this.file = file;
    this.done = done;
    this.channel = channel;
    this.dropped = dropped;
  }

  /** Opens (creating it with {@code run} as header) the log at {@code file}. */
  public static AnswerLog open(Path file, ObjectNode run) {
    try {
      if (!Files.exists(file)) {
        ObjectNode header = Json.MAPPER.createObjectNode();
        header.set(HEADER, run);
        AtomicFiles.writeString(file, Json.line(header) + "\n");
      }
      byte[] bytes = Files.readAllBytes(file);
      int end = bytes.length;
      while (end > 0 && bytes[end - 1] != '\n') {
        end--;
      }
      int dropped = bytes.length - end;
      String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
      Map<String, JsonNode> done = new LinkedHashMap<>();
      List<String> lines = text.lines().toList();
      if (lines.isEmpty()) {
        throw new VirftException(file + ": no header line; expected {\"" + HEADER + "\": {...}} (delete the file to start over)");
      }
      checkHeader(file, parse(file, lines.get(0), 1), run);
      for (int i = 1; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) {
          continue;
        }
        JsonNode n = parse(file, lines.get(i), i + 1);
        if (!n.path("key").isTextual() || !n.path("answer").isTextual()) {
          throw new VirftException(file + ": line " + (i + 1) + ": expected an object with text fields 'key' and 'answer'");
        }
        done.put(n.get("key").asText(), n);
      }
      FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
      if (dropped > 0) {
        ch.truncate(end); // the last line was cut by an interruption: its query runs again
      }
      ch.position(end);
      return new AnswerLog(file, done, ch, dropped);
    } catch (IOException e) {
      throw new VirftException(file + ": cannot open the answers log: " + e.getMessage(), e);
    }
  }

  private static JsonNode parse(Path file, String line, int number) {
    try {
      JsonNode n = Json.MAPPER.readTree(line);
      if (n == null || !n.isObject()) {
        throw new VirftException(file + ": line " + number + ": expected a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new VirftException(file + ": line " + number + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static void checkHeader(Path file, JsonNode header, ObjectNode run) {
    JsonNode had = header.get(HEADER);
    if (had == null || !had.isObject()) {
      throw new VirftException(file + ": line 1: expected the header {\"" + HEADER + "\": {...}}");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = run.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode old = had.get(e.getKey());
      if (old == null || !old.equals(e.getValue())) {
        throw new VirftException(file + ": written by another run: field '" + e.getKey() + "' is "
            + (old == null ? "absent" : old) + ", this run has " + e.getValue()
            + "; use another --output directory or delete the file to start over");
      }
    }
  }

  /** Answers already there, by key (each node has "key", "answer" and the query's fields). */
  public Map<String, JsonNode> done() {
    return done;
  }

  /** Bytes of a cut last line dropped on opening (0 when the file ended cleanly). */
  public int droppedBytes() {
    return dropped;
  }

  public Path file() {
    return file;
  }

  /** Appends the answers of one batch and forces them to disk. */
  public void append(List<ModelQuery> queries, List<String> answers) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < queries.size(); i++) {
      ModelQuery q = queries.get(i);
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("key", q.key());
      n.put("answer", answers.get(i));
      q.fields().forEach((k, v) -> n.set(k, Json.MAPPER.valueToTree(v)));
      sb.append(Json.line(n)).append('\n');
      done.put(q.key(), n);
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new VirftException(file + ": cannot append answers: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new VirftException(file + ": cannot close: " + e.getMessage(), e);
    }
  }
}
