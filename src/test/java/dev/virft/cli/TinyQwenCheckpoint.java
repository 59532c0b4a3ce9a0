package dev.virft.cli;

import dev.virft.model.QwenVLModel;
import dev.virft.tools.ModelPresets;
import dev.virft.tensor.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A random-weight tiny Qwen2-VL checkpoint with the real Qwen2-VL tokenizer files (test resources). */
final class TinyQwenCheckpoint {
  private TinyQwenCheckpoint() {}

  static Path create(Path dir, long seed) throws IOException {
    try (QwenVLModel m = QwenVLModel.randomInit(ModelPresets.resolve("tiny"), Device.CPU, seed)) {
      m.save(dir);
    }
    Path tok = Path.of("src/test/resources/tokenizer");
    Files.copy(tok.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    Files.copy(tok.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    Files.copy(tok.resolve("qwen2vl_chat_template.jinja"), dir.resolve("chat_template.jinja"));
    return dir;
  }
}
