package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.model.TransformersConfigSchema;
import dev.virft.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code virft sft} and {@code virft train} write is a config.json transformers loads: the base's
 * own file (here with a field we do not know, which must survive) with only the dtype updated, every
 * declared field of the type transformers' config classes declare.
 */
class CheckpointConfigTest {
  @TempDir Path tmp;

  Path base() throws Exception {
    Path base = TinyQwenCheckpoint.create(tmp.resolve("base"), 4);
    ObjectNode cfg = (ObjectNode) Json.read(base.resolve("config.json"));
    cfg.put("transformers_version", "4.45.0.dev0").put("torch_dtype", "bfloat16").put("a_field_we_do_not_know", 7);
    Files.writeString(base.resolve("config.json"), cfg.toPrettyString());
    return base;
  }

  static void assertLoadableBy(Path checkpoint, Path base) {
    JsonNode written = Json.read(checkpoint.resolve("config.json"));
    assertEquals(List.of(), TransformersConfigSchema.violations(written), checkpoint.toString());
    ObjectNode expected = (ObjectNode) Json.read(base.resolve("config.json"));
    expected.put("torch_dtype", "float32");
    assertEquals(expected, written);
  }

  @Test
  void sftAndTrainOutputsPassTheTransformersSchema() throws Exception {
    Path base = base();
    String data = "src/test/resources/data/virft_save_to_disk";
    Path sft = tmp.resolve("sft");
    assertEquals(0, Main.execute("sft", "--model_name_or_path", base.toString(), "--dataset_name", data,
        "--output_dir", sft.toString(), "--gradient_accumulation_steps", "1", "--max_steps", "1", "--no-progress"));
    assertLoadableBy(sft.resolve("checkpoint-1"), base);
    Path grpo = tmp.resolve("grpo");
    assertEquals(0, Main.execute("train", "--model_name_or_path", base.toString(), "--dataset_name", data,
        "--output_dir", grpo.toString(), "--task", "detection", "--num_generations", "2",
        "--max_completion_length", "4", "--gradient_accumulation_steps", "1", "--max_steps", "1", "--beta", "0",
        "--no-progress"));
    assertLoadableBy(grpo.resolve("checkpoint-1"), base);
  }
}
