package dev.virft.model;

import dev.virft.tensor.Device;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The LoRA matrices of one adapter as float32 masters: for a module with weight W [out, in],
 * {@code lora_A} [r, in] and {@code lora_B} [out, r], and the module computes
 * {@code W x + (alpha / r) B A x}. Kept by the module's hub name plus {@code .lora_A.weight}; on disk
 * under PEFT's names ({@code base_model.model.} in front, see {@link #PEFT_PREFIX}).
 */
final class LoraAdapters {
  /** What PEFT's {@code get_peft_model_state_dict} puts in front of the base model's module paths. */
  static final String PEFT_PREFIX = "base_model.model.";

  private final LoraConfig config;
  private final Map<String, Tensor> masters; // live: the optimiser updates them in place
  private final Set<String> modules;
  private boolean enabled = true;

  private LoraAdapters(LoraConfig config, Map<String, Tensor> masters, Set<String> modules) {
    this.config = config;
    this.masters = masters;
    this.modules = modules;
    for (Tensor t : masters.values()) {
      t.retainReference(); // released in close()
    }
  }

  static String aName(String module) {
    return module + ".lora_A.weight";
  }

  static String bName(String module) {
    return module + ".lora_B.weight";
  }

  /**
   * Fresh adapters as PEFT initialises them: A from kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(in),
   * 1/sqrt(in)) (torch.nn.Linear's default), B zeros, so the adapted model starts equal to the base.
   */
  static LoraAdapters init(QwenVLConfig cfg, LoraConfig lc, Device device, long seed) {
    Map<String, long[]> layout = WeightLayout.of(cfg);
    Generator gen = torch.createCPUGenerator(seed);
    Map<String, Tensor> m = new LinkedHashMap<>();
    List<String> paths = lc.modulePaths(cfg);
    for (String module : paths) {
      long[] w = layout.get(module + ".weight");
      double bound = 1.0 / Math.sqrt(w[1]);
      Tensor a = torch.empty(new long[] {lc.r(), w[1]}, new TensorOptions(torch.ScalarType.Float),
              new MemoryFormatOptional())
          .uniform_(-bound, bound, new GeneratorOptional(gen));
      m.put(aName(module), master(a, device));
      m.put(bName(module), master(torch.zeros(new long[] {w[0], lc.r()}), device));
    }
    return new LoraAdapters(lc, m, new LinkedHashSet<>(paths));
  }

  /** Reads adapter_model.safetensors of a PEFT LoRA directory; every tensor is checked by name and shape. */
  static LoraAdapters read(Path adapterDir, QwenVLConfig cfg, LoraConfig lc, Device device) {
    Path f = adapterDir.resolve(LoraConfig.WEIGHTS_FILE);
    StateDict sd = Safetensors.read(f);
    Map<String, long[]> layout = WeightLayout.of(cfg);
    Map<String, Tensor> byName = new LinkedHashMap<>();
    List<String> unexpected = new ArrayList<>();
    for (String stored : sd.names()) {
      String name = stored.startsWith(PEFT_PREFIX) ? stored.substring(PEFT_PREFIX.length()) : stored;
      // PEFT keeps the adapter name out of saved keys for "default" only; accept an explicit one too.
      name = name.replace(".lora_A.default.weight", ".lora_A.weight").replace(".lora_B.default.weight", ".lora_B.weight");
      name = WeightLayout.hubName(name);
      byName.put(name, sd.get(stored));
      if (!name.endsWith(".lora_A.weight") && !name.endsWith(".lora_B.weight")) {
        unexpected.add(stored);
      }
    }
    if (!unexpected.isEmpty()) {
      throw new VirftException(f + ": unexpected tensors (only lora_A/lora_B weights are supported): "
          + String.join(", ", unexpected.subList(0, Math.min(10, unexpected.size()))));
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    List<String> paths = lc.modulePaths(cfg);
    for (String module : paths) {
      long[] w = layout.get(module + ".weight");
      m.put(aName(module), checked(f, byName.remove(aName(module)), aName(module), new long[] {lc.r(), w[1]}, device));
      m.put(bName(module), checked(f, byName.remove(bName(module)), bName(module), new long[] {w[0], lc.r()}, device));
    }
    if (!byName.isEmpty()) {
      throw new VirftException(f + ": tensors for modules outside adapter_config.json's target_modules "
          + lc.targetModules() + ": " + String.join(", ", new ArrayList<>(byName.keySet()).subList(0, Math.min(10, byName.size()))));
    }
    return new LoraAdapters(lc, m, new LinkedHashSet<>(paths));
  }

  private static Tensor checked(Path f, Tensor t, String name, long[] shape, Device device) {
    if (t == null) {
      throw new VirftException(f + ": missing tensor '" + PEFT_PREFIX + name + "'");
    }
    if (!Arrays.equals(Tensors.shape(t), shape)) {
      throw new VirftException(f + ": tensor '" + PEFT_PREFIX + name + "' has shape " + Arrays.toString(Tensors.shape(t))
          + ", expected " + Arrays.toString(shape) + " (r and the base model's config.json)");
    }
    return master(t, device);
  }

  private static Tensor master(Tensor t, Device device) {
    return t.to(device.torchDevice(), torch.ScalarType.Float).detach().clone().contiguous().set_requires_grad(true);
  }

  LoraConfig config() {
    return config;
  }

  Map<String, Tensor> masters() {
    return masters;
  }

  boolean enabled() {
    return enabled;
  }

  void setEnabled(boolean on) {
    enabled = on;
  }

  /** Whether the module (hub path, e.g. {@code model.layers.0.self_attn.q_proj}) carries an adapter now. */
  boolean active(String module) {
    return enabled && modules.contains(module);
  }

  /** The tensors under PEFT's names, on the CPU, for adapter_model.safetensors. */
  Map<String, Tensor> peftStateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    masters.forEach((k, v) -> out.put(PEFT_PREFIX + k, v.detach().cpu()));
    return out;
  }

  /** (alpha / r) B A for a module, float32 [out, in]: what merging adds to its weight. */
  Tensor deltaWeight(String module) {
    return masters.get(bName(module)).detach().mm(masters.get(aName(module)).detach())
        .mul(new org.bytedeco.pytorch.Scalar(config.scaling()));
  }

  Set<String> modules() {
    return modules;
  }

  void close() {
    for (Tensor t : masters.values()) {
      t.releaseReference();
    }
  }
}
