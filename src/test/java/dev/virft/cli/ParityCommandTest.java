package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParityCommandTest {
  static final Path GOLDEN = Paths.get("src/test/resources/golden");

  static String run(int expectedExit, String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.execute(args);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    System.out.print(out);
    assertEquals(expectedExit, code, out);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void goldenFixturesPass(String name) {
    String out = run(0, "parity", "--golden", GOLDEN.resolve(name).toString());
    assertTrue(!out.contains("FAIL"), out);
    for (String t : new String[] {"proc_slow.pixel_values", "position_ids", "rope_deltas", "vision_embeds",
        "logits", "greedy_ids", "completion_logps", "grad.visual.patch_embed.proj.weight"}) {
      assertTrue(out.lines().anyMatch(l -> l.startsWith(t + " ") && l.endsWith("PASS")), t + " in\n" + out);
    }
  }

  /** A reference dump whose logits are perturbed beyond tolerance makes exactly that row fail. */
  @Test
  void perturbedReferenceFails(@TempDir Path tmp) throws Exception {
    Path src = GOLDEN.resolve("qwen2_vl");
    Path dst = tmp.resolve("dump");
    copyTree(src, dst);
    StateDict g = Safetensors.read(dst.resolve("golden.safetensors"));
    Map<String, Tensor> changed = new LinkedHashMap<>(g.asMap());
    changed.put("logits", g.get("logits").add(new Scalar(1e-3)));
    changed.put("extra_unknown", g.get("rope_deltas"));
    Safetensors.write(dst.resolve("golden.safetensors"), changed, Map.of());
    String out = run(1, "parity", "--golden", dst.toString());
    assertTrue(out.lines().anyMatch(l -> l.startsWith("logits ") && l.endsWith("FAIL")), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("extra_unknown ") && l.endsWith("FAIL")), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("vision_embeds ") && l.endsWith("PASS")), out);
  }

  @Test
  void missingDumpIsAOneLineError(@TempDir Path tmp) {
    assertEquals(2, Main.execute("parity", "--golden", tmp.toString()));
  }

  static void copyTree(Path src, Path dst) throws Exception {
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path q = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
  }
}
