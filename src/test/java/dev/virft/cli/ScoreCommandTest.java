package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreCommandTest {
  @TempDir Path dir;

  private String[] run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.execute(args);
      return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void scoresEachLineWithEachRewardAndTheTotal() throws Exception {
    Path in = dir.resolve("c.jsonl");
    Files.write(in, List.of(
        "{\"completion\": \"<think>a</think> <answer>[{'Position': [64, 0, 950, 411], 'Confidence': 0.9}]</answer>\","
            + " \"solution\": \"<answer>[{'Position': [64, 0, 950, 411], 'Confidence': 1}]</answer>\", \"id\": 7}",
        "",
        "{\"completion\": \"nothing\", \"solution\": \"<answer>[{'Position': [1, 1, 2, 2], 'Confidence': 1}]</answer>\"}"));
    String[] r = run("score", "--reward_funcs", "detection", "--input", in.toString());
    assertEquals("0", r[0], r[2]);
    String[] lines = r[1].strip().split("\n");
    assertEquals(2, lines.length);
    JsonNode first = Json.COMPACT.readTree(lines[0]);
    assertEquals(1, first.get("line").asInt());
    assertEquals(1.0, first.get("rewards").get("accuracy_iou").asDouble());
    assertEquals(0.9, first.get("rewards").get("accuracy_confidence").asDouble());
    assertEquals(1.0, first.get("rewards").get("format").asDouble());
    assertEquals(2.9, first.get("total").asDouble());
    JsonNode second = Json.COMPACT.readTree(lines[1]);
    assertEquals(3, second.get("line").asInt());
    assertEquals(0.0, second.get("total").asDouble());
  }

  @Test
  void weightsTaskAliasAndOutputFile() throws Exception {
    Path in = dir.resolve("c.jsonl");
    Files.writeString(in, "{\"completion\": \"<think>x</think><answer></answer>\", \"solution\": \"<answer>rose</answer>\"}\n");
    Path out = dir.resolve("out/scores.jsonl");
    String[] r = run("score", "--reward_funcs", "accuracy:2,accuracy_cls@guarded,format:0.5",
        "--task", "classification", "--input", in.toString(), "--output", out.toString());
    assertEquals("0", r[0], r[2]);
    JsonNode row = Json.COMPACT.readTree(Files.readString(out).strip());
    assertEquals(1.0, row.get("rewards").get("accuracy_cls").asDouble()); // empty answer: faithful quirk
    assertEquals(0.0, row.get("rewards").get("accuracy_cls@guarded").asDouble());
    assertEquals(2.5, row.get("total").asDouble());
  }

  @Test
  void badLinesNameFileLineAndField() throws Exception {
    Path in = dir.resolve("bad.jsonl");
    Files.write(in, List.of("{\"completion\": \"a\", \"solution\": \"b\"}", "{\"completion\": 5, \"solution\": \"b\"}"));
    String[] r = run("score", "--reward_funcs", "format", "--input", in.toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("bad.jsonl:2: field 'completion': expected a string, got number"), r[2]);

    Files.write(in, List.of("{\"completion\": \"a\", \"solution\": \"b\"", "x"));
    r = run("score", "--reward_funcs", "format", "--input", in.toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("bad.jsonl:1: not valid JSON"), r[2]);

    r = run("score", "--reward_funcs", "accuracy", "--input", in.toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("'accuracy' is ambiguous"), r[2]);

    r = run("score", "--reward_funcs", "format", "--input", dir.resolve("missing.jsonl").toString());
    assertTrue(r[2].contains("missing.jsonl: file not found"), r[2]);
  }
}
