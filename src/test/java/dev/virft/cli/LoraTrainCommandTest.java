package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.model.QwenVLModel;
import dev.virft.rl.QwenPolicy;
import dev.virft.tensor.Device;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** train/sft --use_peft end to end on the tiny random Qwen2-VL with the real tokenizer. */
class LoraTrainCommandTest {
  static final String DATA = "src/test/resources/data/virft_save_to_disk";

  @TempDir Path tmp;

  @Test
  void grpoWithLoraUsesTheAdaptersOffModelAsReferenceAndWritesPeftCheckpoints() throws Exception {
    Path base = TinyQwenCheckpoint.create(tmp.resolve("base"), 1);
    // The reference is a view of the policy with adapters off, not a second model.
    TrainCommand cmd = new TrainCommand();
    new CommandLine(cmd).parseArgs("--model_name_or_path", base.toString(), "--dataset_name", DATA,
        "--output_dir", tmp.resolve("x").toString(), "--task", "detection", "--use_peft");
    try (QwenVLModel policy = QwenVLModel.load(base, Device.CPU)) {
      policy.addLora(cmd.args.loraConfig(base), 1);
      QwenPolicy ref = cmd.reference(policy, Device.CPU);
      assertSame(policy, ref.model());
      assertTrue(ref.adaptersDisabled());
      assertTrue(ref.trainableParameters().isEmpty());
    }

    Path out = tmp.resolve("grpo");
    assertEquals(0, Main.execute(
        "train", "--model_name_or_path", base.toString(), "--dataset-name", DATA,
        "--output_dir", out.toString(), "--task", "detection",
        "--num_generations", "2", "--max_completion_length", "6",
        "--per_device_train_batch_size", "1", "--gradient_accumulation_steps", "2",
        "--learning_rate", "1e-3", "--max_steps", "2", "--save_steps", "1", "--beta", "0.04",
        "--use_peft", "--lora_r", "4", "--lora_alpha", "8", "--no-progress"));
    JsonNode first = Json.MAPPER.readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(0));
    // Step 1: B = 0, so policy and adapters-off reference agree exactly.
    assertEquals(0.0, first.get("kl").asDouble(), 0.0, first.toString());
    Path c2 = out.resolve("checkpoint-2");
    for (String f : List.of("adapter_model.safetensors", "adapter_config.json", "tokenizer.json",
        "chat_template.jinja", "generation_config.json", "trainer_state.json", "optimizer.safetensors")) {
      assertTrue(Files.isRegularFile(c2.resolve(f)), f);
    }
    assertFalse(Files.exists(c2.resolve("model.safetensors")));
    StateDict opt = Safetensors.read(c2.resolve("optimizer.safetensors"));
    assertEquals(2 * 2 * 7 * 2, opt.size(), "moments of the adapters only (A and B of 7 modules x 2 layers)");
    assertTrue(opt.contains("exp_avg.model.layers.0.self_attn.q_proj.lora_B.weight"));
    // An adapter checkpoint is a model directory for inference too (merged on load).
    try (QwenVLModel m = QwenVLModel.load(c2, Device.CPU)) {
      assertFalse(m.hasLora());
    }
  }

  private String[] sft(Path base, Path out, long steps, String... extra) {
    List<String> a = new ArrayList<>(List.of(
        "sft", "--model_name_or_path", base.toString(), "--dataset_name", DATA, "--output-dir", out.toString(),
        "--per_device_train_batch_size", "1", "--gradient_accumulation_steps", "1",
        "--learning_rate", "1e-2", "--max_steps", Long.toString(steps), "--save_steps", "2", "--no-progress",
        "--use_peft", "--lora_r", "4", "--lora_alpha", "8", "--lora_target_modules", "q_proj,v_proj,down_proj"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void sftWithLoraResumesBitForBitAndMerges() throws Exception {
    Path base = TinyQwenCheckpoint.create(tmp.resolve("base"), 2);
    Path a = tmp.resolve("a");
    assertEquals(0, Main.execute(sft(base, a, 4, "--merge_lora")));
    // The same 4-step run (same learning-rate schedule) stopped after checkpoint-2 and resumed from it.
    Path b = tmp.resolve("b");
    assertEquals(0, Main.execute(sft(base, b, 4, "--resume_from_checkpoint", a.resolve("checkpoint-2").toString())));
    for (String f : List.of("adapter_model.safetensors", "optimizer.safetensors")) {
      assertArrayEquals(Files.readAllBytes(a.resolve("checkpoint-4").resolve(f)),
          Files.readAllBytes(b.resolve("checkpoint-4").resolve(f)), f + ": 2 + 2 steps == 4 steps");
    }
    StateDict adapter = Safetensors.read(a.resolve("checkpoint-4/adapter_model.safetensors"));
    assertEquals(2 * 3 * 2, adapter.size());
    assertTrue(adapter.get("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").abs().sum().item_double() > 0,
        "the adapters learned");
    List<String> losses = Files.readAllLines(a.resolve("metrics.jsonl"));
    assertEquals(4, losses.size());

    // --merge_lora and `virft lora merge` fold the same adapter into the same base: identical files.
    Path merged = a.resolve("merged");
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
      assertTrue(Files.isRegularFile(merged.resolve(f)), f);
    }
    Path cli = tmp.resolve("cli-merged");
    assertEquals(0, Main.execute("lora", "merge", "--adapter", a.resolve("checkpoint-4").toString(),
        "--output", cli.toString()));
    assertArrayEquals(Files.readAllBytes(merged.resolve("model.safetensors")),
        Files.readAllBytes(cli.resolve("model.safetensors")));
    try (QwenVLModel m = QwenVLModel.load(cli, Device.CPU)) {
      assertTrue(m.parameters().size() > 0);
    }
  }

  @Test
  void loraOptionErrorsAreOneLine() throws Exception {
    Path base = tmp.resolve("no-model");
    Path out = tmp.resolve("o");
    assertEquals(2, Main.execute(sft(base, out, 2, "--lora_dropout", "0.05")));
    assertEquals(2, Main.execute(sft(base, out, 2, "--lora_target_modules", "qkv")));
    assertEquals(2, Main.execute(sft(base, out, 2, "--lora_r", "0")));
    assertEquals(2, Main.execute("lora", "merge", "--adapter", base.toString(), "--output", out.toString()));
  }
}
