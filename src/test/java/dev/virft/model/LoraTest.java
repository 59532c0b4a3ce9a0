package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.tensor.Device;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA on the golden Qwen2.5-VL checkpoint (its vision MLP has gate/up/down_proj too, which must stay bare). */
class LoraTest {
  static final Path DIR = Paths.get("src/test/resources/golden/qwen2_5_vl");
  static final LoraConfig ALL = new LoraConfig(4, 8, 0, LoraConfig.MODULES, DIR.resolve("checkpoint").toAbsolutePath());

  @TempDir Path tmp;

  private final StateDict g = Safetensors.read(DIR.resolve("golden.safetensors"));
  private final Tensor ids = g.get("input_ids");
  private final Tensor mask = g.get("attention_mask");
  private final Tensor pv = g.get("proc_slow.pixel_values");
  private final long[][] grids = Tensors.toLongs2d(g.get("proc_slow.image_grid_thw"));

  private Tensor logits(QwenVLModel m) {
    try (NoGradGuard ng = new NoGradGuard()) {
      return m.forward(ids, mask, pv, grids, null);
    }
  }

  private static QwenVLModel base() {
    return QwenVLModel.load(DIR.resolve("checkpoint"), Device.CPU);
  }

  /** Gives every lora_B a random value (fresh adapters have B = 0 and change nothing). */
  private static void randomizeB(QwenVLModel m, long seed) {
    var gen = torch.createCPUGenerator(seed);
    try (NoGradGuard ng = new NoGradGuard()) {
      m.parameters().asMap().forEach((k, v) -> {
        if (k.endsWith("lora_B.weight")) {
          v.normal_(0.0, 0.05, new org.bytedeco.pytorch.GeneratorOptional(gen));
        }
      });
    }
  }

  @Test
  void freshAdaptersLeaveOutputsExactlyEqualAndDisablingRestoresTheBase() {
    try (QwenVLModel m = base()) {
      Tensor want = logits(m);
      m.addLora(ALL, 1);
      assertTrue(torch.equal(want, logits(m)), "B = 0: adapted logits equal the base bit for bit");
      randomizeB(m, 2);
      Tensor adapted = logits(m);
      assertTrue(adapted.sub(want).abs().max().item_double() > 1e-4, "a nonzero B changes the output");
      m.setAdaptersEnabled(false);
      assertTrue(torch.equal(want, logits(m)), "adapters off: the base model exactly");
      m.setAdaptersEnabled(true);
      assertTrue(torch.equal(adapted, logits(m)));
    }
  }

  @Test
  void adaptersSitOnTheLanguageModelTargetsWithPeftInit() {
    try (QwenVLModel m = base()) {
      m.addLora(new LoraConfig(4, 8, 0, List.of("q_proj", "down_proj"), null), 7);
      Map<String, Tensor> p = m.parameters().asMap();
      long lora = p.keySet().stream().filter(k -> k.contains(".lora_")).count();
      assertEquals(2 * 2 * 2, lora, "2 layers x {q_proj, down_proj} x {A, B}");
      assertFalse(p.keySet().stream().anyMatch(k -> k.startsWith("visual.") && k.contains("lora")));
      Tensor a = p.get("model.layers.1.mlp.down_proj.lora_A.weight");
      assertEquals(List.of(4L, 128L), List.of(a.size(0), a.size(1)));
      double bound = 1 / Math.sqrt(128);
      assertTrue(a.abs().max().item_double() <= bound && a.abs().max().item_double() > 0.5 * bound,
          "kaiming_uniform(a=sqrt 5): U(-1/sqrt(in), 1/sqrt(in))");
      assertEquals(0.0, p.get("model.layers.1.mlp.down_proj.lora_B.weight").abs().sum().item_double());
    }
  }

  @Test
  void gradientsReachOnlyTheAdapters() {
    try (QwenVLModel m = base()) {
      m.addLora(ALL, 1);
      randomizeB(m, 3); // with B = 0 the gradient of A would be 0 as well
      Tensor logps = m.completionLogProbs(ids, mask, pv, grids, 3);
      logps.sum().backward();
      int adapters = 0;
      for (Map.Entry<String, Tensor> e : m.parameters().asMap().entrySet()) {
        Tensor grad = e.getValue().grad();
        if (e.getKey().contains(".lora_")) {
          adapters++;
          assertTrue(grad.defined() && grad.abs().sum().item_double() > 0, e.getKey() + " gets a gradient");
        } else {
          assertFalse(e.getValue().requires_grad(), e.getKey() + " is frozen");
          assertFalse(grad.defined(), e.getKey() + " gets no gradient");
        }
      }
      assertEquals(2 * 7 * 2, adapters);
    }
  }

  @Test
  void mergedWeightsComputeWhatTheAdapterComputes() {
    try (QwenVLModel m = base()) {
      m.addLora(ALL, 1);
      randomizeB(m, 4);
      Tensor adapted = logits(m);
      m.mergeLora();
      assertFalse(m.hasLora());
      Tensor merged = logits(m);
      double diff = merged.sub(adapted).abs().max().item_double();
      assertTrue(diff < 1e-5, "merged vs adapter logits max abs diff " + diff);
      assertTrue(m.parameters().asMap().keySet().stream().noneMatch(k -> k.contains("lora")));
    }
  }

  @Test
  void savesPeftNamesAndConfigAndLoadsThemBack() throws Exception {
    Path dir = tmp.resolve("adapter");
    Tensor adapted;
    try (QwenVLModel m = base()) {
      m.addLora(ALL, 1);
      randomizeB(m, 5);
      adapted = logits(m);
      m.save(dir);
    }
    assertFalse(Files.exists(dir.resolve("model.safetensors")), "only the adapter is written");
    StateDict sd = Safetensors.read(dir.resolve("adapter_model.safetensors"));
    assertEquals(2 * 7 * 2, sd.size());
    sd.get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", 4, 64);
    sd.get("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", 64, 4);
    sd.get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight", 4, 128);
    sd.get("base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight", 32, 4);
    JsonNode c = Json.read(dir.resolve("adapter_config.json"));
    assertEquals("LORA", c.get("peft_type").asText());
    assertEquals("CAUSAL_LM", c.get("task_type").asText());
    assertEquals(4, c.get("r").asInt());
    assertTrue(c.get("lora_alpha").isIntegralNumber());
    assertEquals(8, c.get("lora_alpha").asInt());
    assertEquals("none", c.get("bias").asText());
    assertEquals(DIR.resolve("checkpoint").toAbsolutePath().toString(), c.get("base_model_name_or_path").asText());
    // PEFT full-matches target_modules (a string) against module paths: language model only.
    Pattern p = Pattern.compile(c.get("target_modules").asText());
    assertTrue(p.matcher("model.layers.11.mlp.gate_proj").matches());
    assertTrue(p.matcher("model.language_model.layers.0.self_attn.v_proj").matches());
    assertFalse(p.matcher("visual.blocks.0.mlp.gate_proj").matches());
    assertFalse(p.matcher("model.layers.0.self_attn.q_proj.lora_A").matches());

    try (QwenVLModel back = QwenVLModel.loadWithAdapter(dir, Device.CPU)) {
      assertTrue(back.hasLora());
      assertTrue(torch.equal(adapted, logits(back)), "adapter round trip is exact");
    }
    // Inference entry point: an adapter directory loads as its base with the adapter merged.
    try (QwenVLModel merged = QwenVLModel.load(dir, Device.CPU)) {
      assertFalse(merged.hasLora());
      assertTrue(logits(merged).sub(adapted).abs().max().item_double() < 1e-5);
    }
  }

  /**
   * The CUDA precision path, run on the CPU through {@code virft.cpu.bf16}: base weights are kept in
   * bf16 only, the adapters stay float32 masters and get float32 gradients, and adapter and no-adapter
   * (fused) passes stay close to float32.
   */
  @Test
  void bf16PathKeepsTheBaseInBf16AndTheAdaptersInFloat32() {
    Tensor want;
    try (QwenVLModel m = base()) {
      m.addLora(ALL, 1);
      randomizeB(m, 6);
      want = logits(m);
    }
    System.setProperty("virft.cpu.bf16", "true");
    try (QwenVLModel m = base()) {
      m.addLora(ALL, 1);
      randomizeB(m, 6);
      Map<String, Tensor> p = m.parameters().asMap();
      assertEquals(torch.ScalarType.BFloat16.value, p.get("model.layers.0.mlp.up_proj.weight").scalar_type().value);
      assertEquals(torch.ScalarType.BFloat16.value, p.get("visual.blocks.0.mlp.up_proj.weight").scalar_type().value);
      assertEquals(torch.ScalarType.Float.value, p.get("model.layers.0.mlp.up_proj.lora_B.weight").scalar_type().value);
      Tensor got = logits(m);
      double err = got.sub(want).abs().max().item_double();
      double scale = want.abs().max().item_double();
      assertTrue(err < 0.1 * scale, "bf16 LoRA logits max abs diff " + err + " (scale " + scale + ")");
      // No-grad bf16 passes take the fused q/k/v and gate/up projections with the adapters added on
      // top; a grad pass takes the separate ones. They agree to bf16 rounding, far closer than either
      // is to the adapters-off model.
      Tensor unfused = m.forward(ids, mask, pv, grids, null).detach();
      m.setAdaptersEnabled(false);
      Tensor off = logits(m);
      m.setAdaptersEnabled(true);
      double fusedVsUnfused = got.sub(unfused).abs().max().item_double();
      double adapterEffect = unfused.sub(off).abs().max().item_double();
      System.out.println("bf16 LoRA: fused vs separate " + fusedVsUnfused + ", adapter effect " + adapterEffect);
      assertTrue(fusedVsUnfused < 0.1 * adapterEffect, fusedVsUnfused + " vs " + adapterEffect);
      GenerationOutput out = m.generate(ids, mask, pv, grids, GenerationConfig.greedy(3, new long[0], 0));
      assertEquals(2, out.tokens().length);
      m.setAdaptersEnabled(false);
      out = m.generate(ids, mask, pv, grids, GenerationConfig.greedy(3, new long[0], 0));
      assertEquals(2, out.tokens().length);
      m.setAdaptersEnabled(true);
      m.completionLogProbs(ids, mask, pv, grids, 3).sum().backward();
      Tensor grad = p.get("model.layers.1.self_attn.v_proj.lora_A.weight").grad();
      assertEquals(torch.ScalarType.Float.value, grad.scalar_type().value);
      assertTrue(grad.abs().sum().item_double() > 0);
    } finally {
      System.clearProperty("virft.cpu.bf16");
    }
  }

  @Test
  void badAdaptersAndOptionsAreNamed() throws Exception {
    var e = assertThrows(VirftException.class,
        () -> new LoraConfig(4, 8, 0, List.of("qkv"), null).validated("opts"));
    assertTrue(e.getMessage().contains("'qkv'"), e.getMessage());
    e = assertThrows(VirftException.class,
        () -> new LoraConfig(4, 8, 0.05, LoraConfig.MODULES, null).validated("opts"));
    assertTrue(e.getMessage().contains("lora_dropout"), e.getMessage());
    Path dir = tmp.resolve("bad");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("adapter_config.json"),
        "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":[\"q_proj\"],\"use_dora\":true}");
    e = assertThrows(VirftException.class, () -> LoraConfig.read(dir));
    assertTrue(e.getMessage().contains("adapter_config.json") && e.getMessage().contains("use_dora"), e.getMessage());
    Files.writeString(dir.resolve("adapter_config.json"),
        "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":\"model.(layers\"}");
    e = assertThrows(VirftException.class, () -> LoraConfig.read(dir));
    assertTrue(e.getMessage().contains("target_modules") && e.getMessage().contains("regex"), e.getMessage());
    // A regex from PEFT selects the modules it matches.
    Files.writeString(dir.resolve("adapter_config.json"),
        "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":\".*\\\\.(q_proj|v_proj)\"}");
    assertEquals(List.of("q_proj", "v_proj"), LoraConfig.read(dir).targetModules());
    Files.writeString(dir.resolve("adapter_config.json"),
        "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":[\"q_proj\"],"
            + "\"base_model_name_or_path\":\"Qwen/Qwen2-VL-2B-Instruct\"}");
    e = assertThrows(VirftException.class, () -> QwenVLModel.load(dir, Device.CPU));
    assertTrue(e.getMessage().contains("base_model_name_or_path"), e.getMessage());
    // A rank that does not match the stored matrices names the tensor.
    try (QwenVLModel m = base()) {
      m.addLora(new LoraConfig(4, 8, 0, List.of("q_proj"), DIR.resolve("checkpoint").toAbsolutePath()), 1);
      m.save(tmp.resolve("r4"));
    }
    String cfg = Files.readString(tmp.resolve("r4/adapter_config.json")).replace("\"r\" : 4", "\"r\" : 8");
    Files.writeString(tmp.resolve("r4/adapter_config.json"), cfg);
    e = assertThrows(VirftException.class, () -> QwenVLModel.loadWithAdapter(tmp.resolve("r4"), Device.CPU));
    assertTrue(e.getMessage().contains("lora_A.weight") && e.getMessage().contains("shape"), e.getMessage());
  }
}
