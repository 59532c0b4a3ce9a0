package dev.virft.rl;

import dev.virft.train.Checkpoints;
import dev.virft.train.TrainerState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpoTrainerTest {
  @TempDir Path tmp;
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final PrintStream log = new PrintStream(err, true, StandardCharsets.UTF_8);

  static GrpoOptions options(Path out) {
    GrpoOptions o = new GrpoOptions();
    o.outputDir = out;
    o.numGenerations = 8;
    o.maxCompletionLength = 4;
    o.perDeviceTrainBatchSize = 1;
    o.gradientAccumulationSteps = 2;
    o.learningRate = 0.05;
    o.beta = 0.04;
    o.maxSteps = 4;
    o.saveSteps = 2;
    o.stopTokenIds = new long[] {ToyPolicy.EOS};
    o.padTokenId = ToyPolicy.PAD;
    o.progressBar = false;
    return o;
  }

  static GrpoTrainer<Integer, long[]> trainer(GrpoOptions o, ToyPolicy p, RolloutTask<Integer, long[]> task, PrintStream log) {
    return new GrpoTrainer<>(o, ToyTask.data(10), task, p, o.beta > 0 ? p.frozenCopy() : null, log);
  }

  @Test
  void meanRewardRisesOnALearnableTask() throws Exception {
    GrpoOptions o = options(tmp.resolve("run"));
    o.maxSteps = 40;
    o.saveSteps = 100;
    trainer(o, ToyPolicy.random(7), new ToyTask(), log).train(null);
    List<String> lines = Files.readAllLines(o.outputDir.resolve("metrics.jsonl"));
    assertEquals(40, lines.size());
    double first = 0, last = 0;
    for (int i = 0; i < 8; i++) {
      first += Json.MAPPER.readTree(lines.get(i)).get("reward").asDouble() / 8;
      last += Json.MAPPER.readTree(lines.get(lines.size() - 1 - i)).get("reward").asDouble() / 8;
    }
    assertTrue(last > first + 0.5, "reward first 8 steps " + first + ", last 8 steps " + last);
  }

  @Test
  void twoStepsThenResumeEqualsFourStepsBitForBit() throws Exception {
    GrpoOptions a = options(tmp.resolve("a"));
    a.logCompletions = true;
    trainer(a, ToyPolicy.random(11), new ToyTask(), log).train(null);

    GrpoOptions b = options(tmp.resolve("b"));
    b.logCompletions = true;
    // The first attempt dies while encoding the prompts of step 3, after checkpoint-2 was written.
    ToyTask crashing =
        new ToyTask() {
          int encoded;

          @Override
          public long[] encode(Integer example) {
            if (++encoded > 2 * 2 * 2) { // 2 prompts/step, each encoded for generation and loss
              throw new IllegalStateException("simulated crash");
            }
            return super.encode(example);
          }
        };
    assertThrows(IllegalStateException.class, () -> trainer(b, ToyPolicy.random(11), crashing, log).train(null));
    Path ckpt = Checkpoints.resolve("latest", b.outputDir);
    assertEquals("checkpoint-2", ckpt.getFileName().toString());
    // The reference model is always the base model, never the checkpoint being resumed.
    new GrpoTrainer<>(b, ToyTask.data(10), new ToyTask(), ToyPolicy.load(ckpt), ToyPolicy.random(11).frozenCopy(), log)
        .train(ckpt);

    for (String f : List.of("model.safetensors", "optimizer.safetensors")) {
      assertArrayEquals(
          Files.readAllBytes(a.outputDir.resolve("checkpoint-4").resolve(f)),
          Files.readAllBytes(b.outputDir.resolve("checkpoint-4").resolve(f)),
          f + " differs");
    }
    JsonNode sa = Json.read(a.outputDir.resolve("checkpoint-4/trainer_state.json"));
    JsonNode sb = Json.read(b.outputDir.resolve("checkpoint-4/trainer_state.json"));
    for (String k : List.of("global_step", "optimizer_steps", "epoch", "index_in_epoch")) {
      assertEquals(sa.get(k), sb.get(k), k);
    }
    for (int i = 0; i < 4; i++) {
      for (String k : List.of("loss", "reward", "kl", "grad_norm", "learning_rate")) {
        assertEquals(sa.get("log_history").get(i).get(k), sb.get("log_history").get(i).get(k), k + " @" + i);
      }
    }
    assertEquals(
        Files.readAllLines(a.outputDir.resolve("completions.jsonl")),
        Files.readAllLines(b.outputDir.resolve("completions.jsonl")));
  }

  @Test
  void writesCheckpointsMetricsCompletionsAndReport() throws Exception {
    Path base = tmp.resolve("base");
    Files.createDirectories(base);
    Files.writeString(base.resolve("tokenizer.json"), "{}");
    Files.writeString(base.resolve("generation_config.json"), "{\"eos_token_id\": 5}");
    GrpoOptions o = options(tmp.resolve("out"));
    o.baseModelDir = base;
    o.logCompletions = true;
    o.saveOnlyModel = true;
    trainer(o, ToyPolicy.random(3), new ToyTask(), log).train(null);
    Path c2 = o.outputDir.resolve("checkpoint-2");
    for (String f : List.of("model.safetensors", "config.json", "tokenizer.json", "generation_config.json", "trainer_state.json")) {
      assertTrue(Files.isRegularFile(c2.resolve(f)), f);
    }
    assertFalse(Files.exists(c2.resolve("optimizer.safetensors")), "--save_only_model writes no moments");
    JsonNode m = Json.MAPPER.readTree(Files.readAllLines(o.outputDir.resolve("metrics.jsonl")).get(0));
    for (String k : List.of("step", "loss", "reward", "rewards/match", "rewards/short", "reward_std", "kl",
        "completion_length", "clipped_ratio", "grad_norm", "learning_rate", "step_time", "tokens_per_second")) {
      assertTrue(m.has(k), "metrics.jsonl lacks " + k);
    }
    assertEquals(0.05, m.get("learning_rate").asDouble(), 1e-12); // no warm-up: full rate at step 1
    List<String> comp = Files.readAllLines(o.outputDir.resolve("completions.jsonl"));
    assertEquals(4 * 2 * 8, comp.size());
    JsonNode c = Json.MAPPER.readTree(comp.get(0));
    assertTrue(c.has("prompt") && c.has("completion") && c.has("answer") && c.get("rewards").has("match"));
    String html = Files.readString(o.outputDir.resolve("report.html"));
    assertTrue(html.contains("data:image/png;base64,") && html.contains("alt=\"reward\""));
    VirftExceptionAssert.resumeRefused(o.outputDir);
  }

  static final class VirftExceptionAssert {
    static void resumeRefused(Path out) {
      var e = assertThrows(dev.virft.util.VirftException.class, () -> Checkpoints.resolve("latest", out));
      assertTrue(e.getMessage().contains("--save_only_model"), e.getMessage());
    }
  }

  @Test
  void warnsWhenCompletionsAreTruncatedOrGroupsHaveNoSpread() {
    GrpoOptions o = options(tmp.resolve("w"));
    o.maxCompletionLength = 1; // a letter never fits together with the stop token
    o.maxSteps = 1;
    ToyTask flat =
        new ToyTask() {
          @Override
          public double[] rewards(Integer example, String completion) {
            return new double[] {0.0, 0.0};
          }
        };
    trainer(o, ToyPolicy.random(5), flat, log).train(null);
    String w = err.toString(StandardCharsets.UTF_8);
    assertTrue(w.matches("(?s).*completions hit max_completion_length=1.*"), w);
    assertTrue(w.contains("all 2 groups have zero reward spread"), w);
  }

  @Test
  void nonFiniteLossSkipsTheStepAndLeavesWeightsUntouched() {
    GrpoOptions o = options(tmp.resolve("nan"));
    o.maxSteps = 1;
    o.beta = 0;
    ToyPolicy p =
        new ToyPolicy() {
          @Override
          public Tensor completionLogProbs(long[] prompt, Tensor ids) {
            return super.completionLogProbs(prompt, ids).mul(new Scalar(Double.NaN));
          }
        };
    ToyPolicy init = ToyPolicy.random(9);
    init.params.forEach((k, v) -> p.params.put(k, v.detach().clone().set_requires_grad(true)));
    // reward spread needed so the NaN reaches the loss
    TrainerState st = trainer(o, p, new ToyTask(), log).train(null);
    assertEquals(1, st.skippedSteps);
    assertEquals(0, st.optimizerSteps);
    init.params.forEach((k, v) -> assertTrue(v.equal(p.params.get(k).detach()), k));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("step 1 skipped: non-finite loss"));
  }
}
