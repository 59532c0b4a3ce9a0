package dev.virft.model.lora;

import dev.virft.model.LoraConfig;
import dev.virft.model.WeightLayout;
import dev.virft.model.nn.Linear;
import dev.virft.tensor.Device;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import dev.virft.util.AtomicFiles;
import java.nio.file.Files;
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
public final class LoraAdapters {
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

  public static String aName(String module) {
    return module + ".lora_A.weight";
  }

  public static String bName(String module) {
    return module + ".lora_B.weight";
  }

  /**
   * Fresh adapters as PEFT initialises them: A from kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(in),
   * 1/sqrt(in)) (torch.nn.Linear's default), B zeros, so the adapted model starts equal to the base.
   */
  public static LoraAdapters init(List<Linear> linears, LoraConfig lc, Device device, long seed) {
    Map<String, long[]> layout = targets(linears, lc);
    Generator gen = torch.createCPUGenerator(seed);
    Map<String, Tensor> m = new LinkedHashMap<>();
    List<String> paths = new ArrayList<>(layout.keySet());
    for (String module : paths) {
      long[] w = layout.get(module);
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
  public static LoraAdapters read(Path adapterDir, List<Linear> linears, LoraConfig lc, Device device) {
    Path f = adapterDir.resolve(LoraConfig.WEIGHTS_FILE);
    StateDict sd = Safetensors.read(f);
    Map<String, long[]> layout = targets(linears, lc);
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
    List<String> paths = new ArrayList<>(layout.keySet());
    for (String module : paths) {
      long[] w = layout.get(module);
      m.put(aName(module), checked(f, byName.remove(aName(module)), aName(module), new long[] {lc.r(), w[1]}, device));
      m.put(bName(module), checked(f, byName.remove(bName(module)), bName(module), new long[] {w[0], lc.r()}, device));
    }
    if (!byName.isEmpty()) {
      throw new VirftException(f + ": tensors for modules outside adapter_config.json's target_modules "
          + lc.targetModules() + ": " + String.join(", ", new ArrayList<>(byName.keySet()).subList(0, Math.min(10, byName.size()))));
    }
    return new LoraAdapters(lc, m, new LinkedHashSet<>(paths));
  }

  /**
   * The modules among the model's {@code linears} that {@code lc} targets (by their last name, e.g.
   * {@code q_proj}), in the layers' order, each with its weight's shape [out, in].
   */
  private static Map<String, long[]> targets(List<Linear> linears, LoraConfig lc) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (Linear l : linears) {
      String module = l.module();
      if (lc.targetModules().contains(module.substring(module.lastIndexOf('.') + 1))) {
        out.put(module, new long[] {l.weight().size(0), l.weight().size(1)});
      }
    }
    return out;
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

  public LoraConfig config() {
    return config;
  }

  public Map<String, Tensor> masters() {
    return masters;
  }

  public boolean enabled() {
    return enabled;
  }

  public void setEnabled(boolean on) {
    enabled = on;
  }

  /** The adapter of one linear module (hub path, e.g. {@code model.layers.0.self_attn.q_proj}), or null when it has none. */
  public Linear.Adapter adapterFor(String module) {
    if (!modules.contains(module)) {
      return null;
    }
    Tensor a = masters.get(aName(module));
    Tensor b = masters.get(bName(module));
    double scaling = config.scaling();
    return new Linear.Adapter() {
      @Override
      public boolean active() {
        return enabled;
      }

      @Override
      public Tensor loraA() {
        return a;
      }

      @Override
      public Tensor loraB() {
        return b;
      }

      @Override
      public double scaling() {
        return scaling;
      }
    };
  }

  /** Writes adapter_config.json and adapter_model.safetensors (PEFT's names, on the CPU), atomically. */
  public void save(Path dir) {
    Map<String, Tensor> peft = new LinkedHashMap<>();
    masters.forEach((k, v) -> peft.put(PEFT_PREFIX + k, v.detach().cpu()));
    AtomicFiles.writeDirectory(dir, tmp -> {
      Files.writeString(tmp.resolve(LoraConfig.CONFIG_FILE), config.toPeftJson().toPrettyString());
      Safetensors.write(tmp.resolve(LoraConfig.WEIGHTS_FILE), peft, Map.of("format", "pt"));
    });
  }

  /**
   * Folds the adapters into the base weights (W + (alpha / r) B A, in float32): every entry of
   * {@code params} is replaced by a fresh float32 master (its old tensor released).
   */
  public void mergeInto(Map<String, Tensor> params) {
    try (org.bytedeco.pytorch.NoGradGuard ng = new org.bytedeco.pytorch.NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        String name = e.getKey();
        String module = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
        Tensor old = e.getValue();
        Tensor merged = old.detach().to(torch.ScalarType.Float);
        if (module != null && modules.contains(module)) {
          merged = merged.add(deltaWeight(module));
        }
        merged = merged.clone().contiguous();
        merged.retainReference();
        e.setValue(merged);
        old.releaseReference();
      }
    }
  }

  /** (alpha / r) B A for a module, float32 [out, in]: what merging adds to its weight. */
  public Tensor deltaWeight(String module) {
    return masters.get(bName(module)).detach().mm(masters.get(aName(module)).detach())
        .mul(new org.bytedeco.pytorch.Scalar(config.scaling()));
  }

  public Set<String> modules() {
    return modules;
  }

  public void close() {
    for (Tensor t : masters.values()) {
      t.releaseReference();
    }
  }
}
