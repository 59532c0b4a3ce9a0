package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.tensor.Safetensors;
import dev.virft.train.Launcher;
import dev.virft.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data parallelism over worker processes ({@code --nproc_per_node 2}, Gloo on 127.0.0.1): two ranks with
 * batch 1 train like one process with batch 2 (same per-step loss, same weights up to the float order
 * of the gradient reduction), with the optimizer state replicated or ZeRO-sharded; a sharded run
 * resumed from its checkpoint equals the uninterrupted one; a killed worker ends the run naming it.
 */
class DistributedTrainingTest {
  @TempDir static Path tmp;
  static Path base;
  static Path data;
  static Path zero2;

  @BeforeAll
  static void tinyModelAndData() throws Exception {
    base = TinyQwenCheckpoint.create(tmp.resolve("base"), 1);
    Files.copy(Path.of("src/test/resources/processor/pil/in_gray.png"), tmp.resolve("img.png"));
    // test_length_penalty (a test plug-in) scores completions by length: random-weight completions of
    // 6 tokens are 23..50 characters, so a 32-character limit gives every group a reward spread.
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      rows.append("{\"image_path\": \"img.png\", \"problem\": \"Say something short, number ").append(i)
          .append(".\", \"solution\": \"ok\", \"max_chars\": 32}\n");
    }
    data = Files.writeString(tmp.resolve("data.jsonl"), rows.toString());
    // A small reduce_bucket_size so that the sharded optimizer works over many buckets.
    zero2 = Files.writeString(tmp.resolve("zero2.json"),
        "{\"zero_optimization\": {\"stage\": 2, \"reduce_bucket_size\": 300000}, \"train_batch_size\": \"auto\"}");
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String[] args(String cmd, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of(
        cmd, "--model_name_or_path", base.toString(), "--dataset_name", data.toString(),
        "--output_dir", out.toString(), "--learning_rate", "1e-3", "--max_steps", "3", "--save_steps", "2",
        "--no-progress"));
    if (cmd.equals("train")) {
      a.addAll(List.of("--reward_funcs", "test_length_penalty", "--num_generations", "4",
          "--max_completion_length", "6", "--gradient_accumulation_steps", "1"));
    } else {
      a.addAll(List.of("--gradient_accumulation_steps", "2"));
    }
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  static String[] twoRanks(String cmd, Path out, String... extra) throws Exception {
    List<String> a = new ArrayList<>(List.of(args(cmd, out, extra)));
    a.addAll(List.of("--per_device_train_batch_size", "1", "--nproc_per_node", "2",
        "--master_port", Integer.toString(freePort()), "--log_dir", out.resolve("logs").toString()));
    return a.toArray(String[]::new);
  }

  static List<JsonNode> metrics(Path out) throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    for (String l : Files.readAllLines(out.resolve("metrics.jsonl"))) {
      rows.add(Json.MAPPER.readTree(l));
    }
    return rows;
  }

  static double maxAbsDiff(Path a, Path b) {
    Map<String, Tensor> x = Safetensors.read(a).asMap();
    Map<String, Tensor> y = Safetensors.read(b).asMap();
    assertEquals(x.keySet(), y.keySet());
    double m = 0;
    for (String k : x.keySet()) {
      m = Math.max(m, x.get(k).sub(y.get(k)).abs().max().item_double());
    }
    return m;
  }

  static void assertTrainsAlike(Path single, Path ranks) throws Exception {
    List<JsonNode> a = metrics(single);
    List<JsonNode> b = metrics(ranks);
    assertEquals(3, a.size());
    assertEquals(3, b.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(a.get(i).get("loss").asDouble(), b.get(i).get("loss").asDouble(), 1e-5, "loss at step " + (i + 1));
      if (a.get(i).has("reward")) {
        // The same completions were sampled: the samples depend on the global prompt index only.
        assertEquals(a.get(i).get("reward").asDouble(), b.get(i).get("reward").asDouble(), 0.0);
      }
    }
    Path w = single.resolve("checkpoint-3/model.safetensors");
    assertTrue(maxAbsDiff(w, base.resolve("model.safetensors")) > 1e-4, "the weights moved");
    double diff = maxAbsDiff(w, ranks.resolve("checkpoint-3/model.safetensors"));
    assertTrue(diff <= 1e-5, "max abs weight difference " + diff);
  }

  @Test
  void grpoOnTwoRanksTrainsLikeOneProcessWithTheirBatch() throws Exception {
    Path single = tmp.resolve("grpo-1x2");
    assertEquals(0, Main.execute(args("train", single, "--per_device_train_batch_size", "2")));
    assertTrue(metrics(single).stream().anyMatch(m -> m.get("reward_std").asDouble() > 0), "a learning signal");
    Path replicated = tmp.resolve("grpo-2x1");
    assertEquals(0, Main.execute(twoRanks("train", replicated)));
    assertTrainsAlike(single, replicated);
    Path sharded = tmp.resolve("grpo-2x1-zero2");
    assertEquals(0, Main.execute(twoRanks("train", sharded, "--deepspeed", zero2.toString())));
    assertTrainsAlike(single, sharded);
    assertTrue(Files.isRegularFile(sharded.resolve("checkpoint-3/optimizer-rank-00001-of-00002.safetensors")));
  }

  @Test
  void sftOnTwoRanksTrainsLikeOneProcessAndResumesShardedExactly() throws Exception {
    Path single = tmp.resolve("sft-1x2");
    assertEquals(0, Main.execute(args("sft", single, "--per_device_train_batch_size", "2")));
    Path replicated = tmp.resolve("sft-2x1");
    assertEquals(0, Main.execute(twoRanks("sft", replicated)));
    assertTrainsAlike(single, replicated);
    Path sharded = tmp.resolve("sft-2x1-zero2");
    assertEquals(0, Main.execute(twoRanks("sft", sharded, "--deepspeed", zero2.toString())));
    assertTrainsAlike(single, sharded);

    Path c2 = sharded.resolve("checkpoint-2");
    Path resumed = tmp.resolve("sft-2x1-zero2-resumed");
    assertEquals(0, Main.execute(twoRanks("sft", resumed, "--deepspeed", zero2.toString(),
        "--resume_from_checkpoint", c2.toString())));
    for (String f : List.of("model.safetensors", "optimizer-rank-00000-of-00002.safetensors",
        "optimizer-rank-00001-of-00002.safetensors")) {
      assertEquals(0.0, maxAbsDiff(sharded.resolve("checkpoint-3").resolve(f), resumed.resolve("checkpoint-3").resolve(f)), f);
    }
    assertEquals(metrics(sharded).get(2).get("loss").asDouble(), metrics(resumed).get(2).get("loss").asDouble(), 0.0);

    // One process cannot take over two ranks' optimizer shards: refused with the reason, before training.
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = Main.execute(args("sft", tmp.resolve("sft-refused"), "--deepspeed", zero2.toString(),
          "--per_device_train_batch_size", "2", "--resume_from_checkpoint", c2.toString()));
    } finally {
      System.setErr(old);
    }
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("sharded over 2 ranks"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aKilledWorkerEndsTheRunWithAnErrorNamingIt() throws Exception {
    Path out = tmp.resolve("killed");
    List<String> worker = new ArrayList<>(List.of(args("sft", out, "--per_device_train_batch_size", "1")));
    worker.set(worker.indexOf("--max_steps") + 1, "1000");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(buf, true, StandardCharsets.UTF_8);
    Launcher.Plan plan = new Launcher.Plan(2, 1, 0, "127.0.0.1", freePort(), out.resolve("logs"));
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Launcher.run(plan, worker, err));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    Matcher pid = Pattern.compile("started rank 1 of 2 \\(pid (\\d+)\\)").matcher("");
    while (!(pid.reset(buf.toString(StandardCharsets.UTF_8)).find() && Files.exists(out.resolve("metrics.jsonl")))) {
      assertTrue(System.nanoTime() < deadline && !run.isDone(), "workers did not start training: " + buf);
      Thread.sleep(200);
    }
    long victim = Long.parseLong(pid.group(1));
    ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
    int code = run.get(60, TimeUnit.SECONDS);
    assertEquals(1, code);
    String printed = buf.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("error: worker rank 1 (pid " + victim + ") was killed"), printed);
  }
}
