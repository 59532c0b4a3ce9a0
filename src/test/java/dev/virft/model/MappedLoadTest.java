package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.virft.tools.ModelPresets;
import dev.virft.tensor.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** float32 weights are mapped copy-on-write: what the model computes is the file's, what it writes is not. */
class MappedLoadTest {
  @TempDir Path tmp;

  @Test
  void inPlaceUpdatesNeverReachTheFile() throws Exception {
    Path dir = tmp.resolve("ckpt");
    try (QwenVLModel m = QwenVLModel.randomInit(ModelPresets.resolve("tiny"), Device.CPU, 7)) {
      m.save(dir);
    }
    byte[] before = Files.readAllBytes(dir.resolve("model.safetensors"));
    String name = "model.layers.0.mlp.up_proj.weight";
    float first;
    try (QwenVLModel m = QwenVLModel.load(dir, Device.CPU)) {
      Tensor p = m.parameters().get(name);
      first = p.flatten().get(0).item_float();
      try (NoGradGuard ng = new NoGradGuard()) {
        p.add_(new Scalar(1.0)); // what an optimizer step does
      }
      assertEquals(first + 1.0f, p.flatten().get(0).item_float(), 1e-6);
      // a second model on the same file sees the file, not the first one's update
      try (QwenVLModel other = QwenVLModel.load(dir, Device.CPU)) {
        assertEquals(first, other.parameters().get(name).flatten().get(0).item_float(), 0f);
      }
    }
    assertArrayEquals(before, Files.readAllBytes(dir.resolve("model.safetensors")));
  }
}
