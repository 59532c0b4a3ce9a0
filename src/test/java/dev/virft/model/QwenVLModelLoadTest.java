package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.tensor.Device;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint loading in both naming schemes, bad checkpoints, and saving in the hub layout. */
class QwenVLModelLoadTest {
  static final Path GOLDEN = Paths.get("src/test/resources/golden");

  /** A copy of a golden checkpoint whose tensors were edited. */
  static Path edited(Path tmp, String name, Consumer<Map<String, Tensor>> edit) throws Exception {
    Path src = GOLDEN.resolve(name).resolve("checkpoint");
    Path dst = tmp.resolve(name + "-edited");
    Files.createDirectories(dst);
    Files.copy(src.resolve("config.json"), dst.resolve("config.json"));
    Map<String, Tensor> t = new LinkedHashMap<>(Safetensors.read(src).asMap());
    edit.accept(t);
    Safetensors.write(dst.resolve("model.safetensors"), t, Map.of("format", "pt"));
    return dst;
  }

  static Tensor logits(QwenVLModel m, String name) {
    StateDict g = Safetensors.read(GOLDEN.resolve(name).resolve("golden.safetensors"));
    try (NoGradGuard ng = new NoGradGuard()) {
      return m.forwardWithImageEmbeds(g.get("input_ids"), g.get("attention_mask"), g.get("vision_embeds"),
          Tensors.toLongs2d(g.get("proc_slow.image_grid_thw")), null);
    }
  }

  @Test
  void loadsTransformers5Names(@TempDir Path tmp) throws Exception {
    Path dir = edited(tmp, "qwen2_5_vl", t -> {
      Map<String, Tensor> renamed = new LinkedHashMap<>();
      t.forEach((k, v) -> renamed.put(
          k.startsWith("model.") ? "model.language_model." + k.substring(6)
              : k.startsWith("visual.") ? "model.visual." + k.substring(7) : k, v));
      t.clear();
      t.putAll(renamed);
    });
    try (QwenVLModel a = QwenVLModel.load(dir, Device.CPU);
        QwenVLModel b = QwenVLModel.load(GOLDEN.resolve("qwen2_5_vl/checkpoint"), Device.CPU)) {
      assertEquals(b.parameters().names(), a.parameters().names());
      assertEquals(0.0, logits(a, "qwen2_5_vl").sub(logits(b, "qwen2_5_vl")).abs().max().item_double());
    }
  }

  @Test
  void missingTensorIsNamed(@TempDir Path tmp) throws Exception {
    Path dir = edited(tmp, "qwen2_vl", t -> t.remove("model.layers.1.mlp.up_proj.weight"));
    VirftException e = assertThrows(VirftException.class, () -> QwenVLModel.load(dir, Device.CPU));
    assertTrue(e.getMessage().contains("missing tensors: model.layers.1.mlp.up_proj.weight"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("model.safetensors").toString()), e.getMessage());
  }

  @Test
  void unexpectedTensorIsNamed(@TempDir Path tmp) throws Exception {
    Path dir = edited(tmp, "qwen2_vl", t -> t.put("model.layers.7.mlp.up_proj.weight", torch.zeros(2, 2)));
    VirftException e = assertThrows(VirftException.class, () -> QwenVLModel.load(dir, Device.CPU));
    assertTrue(e.getMessage().contains("unexpected tensors: model.layers.7.mlp.up_proj.weight"), e.getMessage());
  }

  @Test
  void wrongShapeNamesTensorAndBothShapes(@TempDir Path tmp) throws Exception {
    Path dir = edited(tmp, "qwen2_vl", t -> t.put("model.layers.0.self_attn.k_proj.weight", torch.zeros(64, 64)));
    VirftException e = assertThrows(VirftException.class, () -> QwenVLModel.load(dir, Device.CPU));
    String m = e.getMessage();
    assertTrue(m.contains("'model.layers.0.self_attn.k_proj.weight'") && m.contains("[64, 64]")
        && m.contains("[32, 64]"), m);
  }

  @Test
  void unknownModelTypeIsNamed(@TempDir Path tmp) throws Exception {
    Path dir = edited(tmp, "qwen2_vl", t -> {});
    ObjectNode cfg = (ObjectNode) Json.read(dir.resolve("config.json"));
    cfg.put("model_type", "qwen3_vl");
    Files.writeString(dir.resolve("config.json"), Json.MAPPER.writeValueAsString(cfg));
    VirftException e = assertThrows(VirftException.class, () -> QwenVLModel.load(dir, Device.CPU));
    assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("model_type")
        && e.getMessage().contains("qwen3_vl"), e.getMessage());
  }

  @Test
  void truncatedWeightsFileIsAnError(@TempDir Path tmp) throws Exception {
    Path dir = edited(tmp, "qwen2_vl", t -> {});
    Path f = dir.resolve("model.safetensors");
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length / 2));
    VirftException e = assertThrows(VirftException.class, () -> QwenVLModel.load(dir, Device.CPU));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }

  @Test
  void savesHubLayoutThatReloadsIdentically(@TempDir Path tmp) throws Exception {
    for (String name : new String[] {"qwen2_vl", "qwen2_5_vl"}) {
      Path out = tmp.resolve(name + "-saved");
      try (QwenVLModel m = QwenVLModel.load(GOLDEN.resolve(name).resolve("checkpoint"), Device.CPU)) {
        m.save(out);
        StateDict saved = Safetensors.read(out.resolve("model.safetensors"));
        StateDict original = Safetensors.read(GOLDEN.resolve(name).resolve("checkpoint"));
        assertEquals(new java.util.TreeSet<>(original.names()), new java.util.TreeSet<>(saved.names()));
        assertEquals(m.config().tieWordEmbeddings(), !saved.contains("lm_head.weight"));
        for (String n : original.names()) {
          assertArrayEquals(Tensors.toFloats(original.get(n)), Tensors.toFloats(saved.get(n)), 0f, n);
        }
        QwenVLConfig back = QwenVLConfig.read(out);
        assertEquals(m.config().tieWordEmbeddings(), back.tieWordEmbeddings());
        try (QwenVLModel r = QwenVLModel.load(out, Device.CPU)) {
          assertEquals(0.0, logits(r, name).sub(logits(m, name)).abs().max().item_double());
        }
      }
      assertFalse(Files.list(tmp).anyMatch(p -> p.getFileName().toString().startsWith(".")),
          "no temporary left behind");
    }
  }
}
