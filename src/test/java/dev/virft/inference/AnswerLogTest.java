package dev.virft.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswerLogTest {
  @TempDir Path dir;

  private static ObjectNode run(String model) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("model", model);
    n.put("max_new_tokens", 8);
    return n;
  }

  private static ModelQuery q(int i) {
    return new ModelQuery("q" + i, Path.of("img" + i + ".png"), null, "text", Map.of("image_id", i));
  }

  @Test
  void appendsReopensAndDropsACutLastLine() throws Exception {
    Path f = dir.resolve("a/answers.jsonl");
    try (AnswerLog log = AnswerLog.open(f, run("m"))) {
      assertTrue(log.done().isEmpty());
      log.append(List.of(q(1), q(2)), List.of("one", "two\nlines"));
    }
    Files.writeString(f, Files.readString(f) + "{\"key\": \"q3\", \"ans");
    try (AnswerLog log = AnswerLog.open(f, run("m"))) {
      assertEquals(List.of("q1", "q2"), new ArrayList<>(log.done().keySet()));
      assertEquals("two\nlines", log.done().get("q2").get("answer").asText());
      assertEquals(2, log.done().get("q2").get("image_id").asInt());
      assertTrue(log.droppedBytes() > 0);
      log.append(List.of(q(3)), List.of("three"));
    }
    List<String> lines = Files.readAllLines(f);
    assertEquals(4, lines.size());
    assertEquals("three", Json.MAPPER.readTree(lines.get(3)).get("answer").asText());
  }

  @Test
  void refusesAnotherRunsLogAndCorruptLines() throws Exception {
    Path f = dir.resolve("answers.jsonl");
    AnswerLog.open(f, run("m")).close();
    VirftException e = assertThrows(VirftException.class, () -> AnswerLog.open(f, run("other")));
    assertTrue(e.getMessage().contains("field 'model' is \"m\", this run has \"other\""), e.getMessage());
    Files.writeString(f, Files.readString(f) + "[1, 2]\n");
    e = assertThrows(VirftException.class, () -> AnswerLog.open(f, run("m")));
    assertTrue(e.getMessage().contains(f + ": line 2"), e.getMessage());
  }

  @Test
  void batchedAnswersTakesLoggedAnswersInQueryOrderWithoutLoadingTheModel() {
    Path f = dir.resolve("answers.jsonl");
    List<ModelQuery> queries = List.of(q(1), q(2), q(3), q(4), q(5));
    try (AnswerLog log = AnswerLog.open(f, run("m"))) {
      log.append(List.of(q(2)), List.of("cached"));
      // The model path runs in ModelEvalCommandTest; here every query is answered, so the model
      // must not even be loaded.
      log.append(List.of(q(1), q(3), q(4), q(5)), List.of("a", "b", "c", "d"));
      Map<String, String> out = BatchedAnswers.run(queries, () -> {
        throw new AssertionError("the model was loaded though every answer is in the log");
      }, log, 2, new PrintWriter(new StringWriter()));
      assertEquals(List.of("a", "cached", "b", "c", "d"), new ArrayList<>(out.values()));
    }
  }
}
