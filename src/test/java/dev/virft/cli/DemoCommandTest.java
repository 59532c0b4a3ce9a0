package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo's tuning options refuse bad values with a one-line error naming the option (exit 2). */
class DemoCommandTest {
  private static String[] run(String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args);
      return new String[] {String.valueOf(code), buf.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setErr(err);
    }
  }

  @Test
  void badTuningValuesNameTheOption() {
    String[][] cases = {
      {"--beta", "-1", "--beta"},
      {"--grpo-learning-rate", "0", "--grpo-learning-rate"},
      {"--sft-learning-rate", "-3e-4", "--sft-learning-rate"},
      {"--num-generations", "1", "--num-generations"},
      {"--temperature", "0", "--temperature"},
      {"--steps", "0", "--steps"},
      {"--task", "segmentation", "--task"},
      {"--shots", "0", "--shots"},
    };
    for (String[] c : cases) {
      String[] r = run("demo", c[0], c[1], "--output", "target/demo-command-test-never-written");
      assertEquals("2", r[0], String.join(" ", c) + ": " + r[1]);
      assertTrue(r[1].contains("error: ") && r[1].contains(c[2]), r[1]);
    }
  }
}
