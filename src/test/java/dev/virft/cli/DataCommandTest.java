package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.data.DatasetReader;
import dev.virft.data.Datasets;
import dev.virft.data.Sample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    PrintStream oldOut = System.out, oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  static List<Sample> read(Path p) {
    List<Sample> rows = new ArrayList<>();
    try (DatasetReader r = Datasets.open(p)) {
      r.forEach(rows::add);
    }
    return rows;
  }

  @Test
  void syntheticThenInspectInEveryFormat() {
    List<Sample> first = null;
    for (String format : List.of("save_to_disk", "parquet", "jsonl")) {
      Path out = tmp.resolve(format);
      Run r = run("data", "synthetic", "--out", out.toString(), "--rows", "12", "--seed", "9", "--format", format);
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("rows: 12"), r.out());
      assertTrue(r.out().contains("tasks: {detection=4, classification=4, grounding=4}"), r.out());
      List<Sample> rows = read(out);
      assertEquals(12, rows.size());
      if (first == null) {
        first = rows;
      } else {
        for (int i = 0; i < 12; i++) {
          assertEquals(first.get(i).solution(), rows.get(i).solution());
          assertTrue(Arrays.equals(first.get(i).image().bytes(), rows.get(i).image().bytes()));
        }
      }
      Run inspect = run("data", "inspect", out.toString(), "--rows", "2");
      assertEquals(0, inspect.code(), inspect.err());
      assertTrue(inspect.out().contains("problem: string"), inspect.out());
      assertTrue(inspect.out().contains("task: "), inspect.out());
      assertTrue(inspect.out().contains("[1] "), inspect.out());
      assertTrue(inspect.out().contains("image: 112x112"), inspect.out());
    }
  }

  @Test
  void userErrorsAreOneLineAndExitTwo() throws Exception {
    Run r = run("data", "inspect", tmp.resolve("nothing").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("nothing"), r.err());
    Run bad = run("data", "synthetic", "--out", tmp.resolve("x").toString(), "--task", "poetry");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--task: unknown value 'poetry'"), bad.err());
    Files.createDirectories(tmp.resolve("cls/a"));
    Run cls = run("data", "classification", "--images", tmp.resolve("cls").toString(), "--out", tmp.resolve("y").toString());
    assertEquals(2, cls.code());
    assertTrue(cls.err().contains("--dataset or --sentence"), cls.err());
  }
}
