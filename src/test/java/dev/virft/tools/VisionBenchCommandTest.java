package dev.virft.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class VisionBenchCommandTest {
  @Test
  void runsOnTheFixtureCheckpointAndRejectsBadSizes() {
    String ckpt = "src/test/resources/golden/qwen2_5_vl/checkpoint";
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    try {
      System.setOut(new PrintStream(buf, true));
      rc = Main.execute("bench", "vision", "--checkpoint", ckpt, "--image", "112x168", "--images", "2",
          "--iters", "1", "--backward");
    } finally {
      System.setOut(old);
    }
    String out = buf.toString();
    assertEquals(0, rc, out);
    assertTrue(out.contains("2 image(s) 112x168 px = 192 patches"), out);
    assertTrue(out.contains("forward+backward:"), out);
    assertEquals(2, Main.execute("bench", "vision", "--checkpoint", ckpt, "--image", "100x100"));
  }
}
