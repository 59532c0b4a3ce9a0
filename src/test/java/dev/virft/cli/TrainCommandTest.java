package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.model.QwenVLModel;
import dev.virft.tensor.Device;
import dev.virft.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end through the CLI on a tiny random Qwen2-VL with the real tokenizer and a tiny dataset. */
class TrainCommandTest {
  @TempDir Path tmp;

  String[] argv(Path base, Path out, String... extra) {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "train", "--model_name_or_path", base.toString(),
                "--dataset-name", "src/test/resources/data/virft_save_to_disk",
                "--output_dir", out.toString(), "--task", "detection",
                "--num_generations", "2", "--max_completion_length", "6",
                "--per_device_train_batch_size", "1", "--gradient_accumulation_steps", "2",
                "--learning_rate", "1e-3", "--max_steps", "2", "--save_steps", "1",
                "--log_completions", "--no-progress", "--deepspeed", "zero3.json"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void trainsWritesLoadableCheckpointsAndResumesExactly() throws Exception {
    Path base = TinyQwenCheckpoint.create(tmp.resolve("base"), 1);
    Path a = tmp.resolve("a");
    assertEquals(0, Main.execute(argv(base, a)));
    Path c2 = a.resolve("checkpoint-2");
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja",
        "generation_config.json", "trainer_state.json", "optimizer.safetensors")) {
      assertTrue(Files.isRegularFile(c2.resolve(f)), f);
    }
    try (QwenVLModel reloaded = QwenVLModel.load(c2, Device.CPU)) {
      assertTrue(reloaded.parameters().size() > 0);
    }
    List<String> metrics = Files.readAllLines(a.resolve("metrics.jsonl"));
    assertEquals(2, metrics.size());
    JsonNode m = Json.MAPPER.readTree(metrics.get(1));
    assertTrue(m.has("rewards/accuracy_iou") && m.has("rewards/format") && m.has("kl"), m.toString());
    assertEquals(2 * 2 * 2, Files.readAllLines(a.resolve("completions.jsonl")).size());

    Path b = tmp.resolve("b");
    assertEquals(0, Main.execute(argv(base, b, "--resume_from_checkpoint", a.resolve("checkpoint-1").toString())));
    // The resumed run samples exactly what the uninterrupted one sampled at step 2 (same data
    // position and seeds). All rewards are 0 for this random model, so neither run changes the
    // weights; GrpoTrainerTest covers resume with a real learning signal.
    List<String> step2 =
        Files.readAllLines(a.resolve("completions.jsonl")).stream().filter(l -> l.contains("\"step\":2,")).toList();
    assertEquals(4, step2.size());
    assertEquals(step2, Files.readAllLines(b.resolve("completions.jsonl")));
    for (String f : List.of("model.safetensors", "optimizer.safetensors")) {
      assertArrayEquals(
          Files.readAllBytes(c2.resolve(f)), Files.readAllBytes(b.resolve("checkpoint-2").resolve(f)), f);
    }
  }

  @Test
  void sftTrainsOnAnswerTokensAndWritesCheckpoints() throws Exception {
    Path base = TinyQwenCheckpoint.create(tmp.resolve("base"), 2);
    Path out = tmp.resolve("sft");
    assertEquals(
        0,
        Main.execute(
            "sft", "--model_name_or_path", base.toString(),
            "--dataset_name", "src/test/resources/data/virft_save_to_disk", "--output-dir", out.toString(),
            "--per_device_train_batch_size", "1", "--gradient_accumulation_steps", "1",
            "--learning_rate", "1e-2", "--max_steps", "2", "--save_steps", "2", "--no-progress"));
    List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(2, metrics.size());
    JsonNode m = Json.MAPPER.readTree(metrics.get(0));
    // a random model over the 151936-token vocabulary: about ln(151936) = 11.9 nats per answer token
    assertEquals(Math.log(151936), m.get("loss").asDouble(), 1.0);
    assertTrue(m.get("answer_tokens").asInt() > 5);
    assertTrue(Files.isRegularFile(out.resolve("checkpoint-2/optimizer.safetensors")));
    try (QwenVLModel reloaded = QwenVLModel.load(out.resolve("checkpoint-2"), Device.CPU)) {
      assertTrue(reloaded.parameters().size() > 0);
    }
  }

  @Test
  void badOptionsAreOneLineErrors() throws Exception {
    // Checked before any model is loaded, so no checkpoint is needed.
    Path base = tmp.resolve("no-model");
    assertEquals(2, Main.execute(argv(base, tmp.resolve("x"), "--beta", "-1")));
    assertEquals(2, Main.execute(argv(base, tmp.resolve("y"), "--loss", "ppo")));
    assertEquals(2, Main.execute(argv(base, tmp.resolve("z"), "--resume_from_checkpoint", "latest")));
  }
}
