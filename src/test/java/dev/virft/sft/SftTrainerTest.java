package dev.virft.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.rl.ToyPolicy;
import dev.virft.util.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftTrainerTest {
  @TempDir Path tmp;
  final PrintStream log = new PrintStream(java.io.OutputStream.nullOutputStream());

  /** Prompt: letter k; answer: that letter then the stop token. */
  static final SftTask<Integer, long[]> TASK =
      new SftTask<>() {
        @Override
        public long[] encode(Integer e) {
          return new long[] {e};
        }

        @Override
        public long[] answerIds(Integer e) {
          return new long[] {e, ToyPolicy.EOS};
        }
      };

  static List<Integer> data() {
    List<Integer> d = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      d.add(i % 5);
    }
    return d;
  }

  static SftOptions options(Path out, long steps) {
    SftOptions o = new SftOptions();
    o.outputDir = out;
    o.learningRate = 0.05;
    o.maxSteps = steps;
    o.saveSteps = 2;
    o.progressBar = false;
    o.stopTokenIds = new long[] {ToyPolicy.EOS};
    o.padTokenId = ToyPolicy.PAD;
    return o;
  }

  @Test
  void answerLossFalls() throws Exception {
    SftOptions o = options(tmp.resolve("run"), 20);
    new SftTrainer<>(o, data(), TASK, ToyPolicy.random(1), log).train(null);
    List<String> lines = Files.readAllLines(o.outputDir.resolve("metrics.jsonl"));
    double first = Json.MAPPER.readTree(lines.get(0)).get("loss").asDouble();
    double last = Json.MAPPER.readTree(lines.get(lines.size() - 1)).get("loss").asDouble();
    // random init: about ln(8) per token; trained: far below
    assertTrue(first > 1.5 && last < 0.5 * first, "loss " + first + " -> " + last);
    assertEquals(4, Json.MAPPER.readTree(lines.get(0)).get("answer_tokens").asInt()); // 2 examples x 2 tokens
  }

  @Test
  void resumeContinuesBitForBit() throws Exception {
    SftOptions a = options(tmp.resolve("a"), 4);
    new SftTrainer<>(a, data(), TASK, ToyPolicy.random(2), log).train(null);
    SftOptions b = options(tmp.resolve("b"), 4);
    Path c2 = a.outputDir.resolve("checkpoint-2");
    new SftTrainer<>(b, data(), TASK, ToyPolicy.load(c2), log).train(c2);
    for (String f : List.of("model.safetensors", "optimizer.safetensors")) {
      assertArrayEquals(
          Files.readAllBytes(a.outputDir.resolve("checkpoint-4").resolve(f)),
          Files.readAllBytes(b.outputDir.resolve("checkpoint-4").resolve(f)), f);
    }
  }
}
