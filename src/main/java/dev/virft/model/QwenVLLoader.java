package dev.virft.model;

import dev.virft.tensor.Device;
import dev.virft.tensor.Safetensors;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Checkpoints in and out of a {@link QwenVLModel} (transformers' {@code from_pretrained} /
 * {@code save_pretrained}): the hub layout ({@code config.json} + safetensors, single or sharded,
 * hub or transformers-5 names), checked by name, shape and dtype against {@link WeightLayout} before
 * any tensor data is read; random initialisation; and writing the hub layout atomically.
 */
final class QwenVLLoader {
  private QwenVLLoader() {}

  /**
   * Loads {@code config.json} and the safetensors weights (single file or sharded) of a checkpoint
   * directory; accepts hub names and transformers-5 names. Missing and unexpected tensors are
   * reported by name; a wrong shape names the tensor and both shapes.
   */
  static QwenVLModel load(Path checkpointDir, Device device) {
    if (LoraConfig.isAdapterDir(checkpointDir) && !Files.exists(checkpointDir.resolve("config.json"))) {
      // A PEFT adapter directory (e.g. a LoRA checkpoint-N): its base with the adapter merged in, which
      // computes what base + adapter computes, for inference and evaluation.
      QwenVLModel m = QwenVLModel.loadWithAdapter(checkpointDir, device);
      m.mergeLora();
      return m;
    }
    QwenVLConfig cfg = QwenVLConfig.read(checkpointDir);
    // Names, shapes and dtypes are checked from the headers before any tensor data is read. float32
    // tensors on the CPU are then mapped (copy-on-write, no read until used); others are read one at a
    // time and turned into their master right away, so the peak is the masters plus one tensor, not a
    // second copy of the checkpoint.
    Safetensors.Index index = Safetensors.index(checkpointDir);
    Map<String, long[]> layout = WeightLayout.of(cfg);
    Map<String, Safetensors.Stored> byHub = new LinkedHashMap<>();
    List<String> unexpected = new ArrayList<>();
    for (String name : index.tensors().keySet()) {
      String hub = WeightLayout.hubName(name);
      if (cfg.tieWordEmbeddings() && hub.equals("lm_head.weight")) {
        continue; // tied: transformers ignores a stored head as well
      }
      if (!layout.containsKey(hub)) {
        unexpected.add(name);
        continue;
      }
      if (byHub.put(hub, index.tensors().get(name)) != null) {
        throw new VirftException(index.source() + ": tensor '" + hub
            + "' is stored twice (under its hub name and its transformers-5 name)");
      }
    }
    List<String> missing = new ArrayList<>();
    for (String name : layout.keySet()) {
      if (!byHub.containsKey(name)) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      StringBuilder msg = new StringBuilder(index.source() + ": checkpoint does not match config.json ("
          + cfg.modelType() + ")");
      if (!missing.isEmpty()) {
        msg.append("; missing tensors: ").append(abbreviate(missing));
      }
      if (!unexpected.isEmpty()) {
        msg.append("; unexpected tensors: ").append(abbreviate(unexpected));
      }
      throw new VirftException(msg.toString());
    }
    for (Map.Entry<String, long[]> e : layout.entrySet()) {
      Safetensors.Stored st = byHub.get(e.getKey());
      if (!Arrays.equals(st.shape(), e.getValue())) {
        throw new VirftException(st.file() + ": tensor '" + e.getKey() + "' has shape "
            + Arrays.toString(st.shape()) + ", expected " + Arrays.toString(e.getValue())
            + " (from config.json)");
      }
      if (!floating(st.dtype())) {
        throw new VirftException(st.file() + ": tensor '" + e.getKey() + "' has dtype "
            + st.dtype().code + ", expected a floating-point type");
      }
    }
    requireFits(cfg, device, index.source() + ": the float32 weights of this checkpoint");
    Map<String, Tensor> params = new LinkedHashMap<>();
    try (Safetensors.TensorReader reader = new Safetensors.TensorReader()) {
      for (String name : layout.keySet()) {
        Safetensors.Stored st = byHub.get(name);
        // float32 on the CPU is the master as stored: mapped, not read.
        Tensor t = device == Device.CPU && st.dtype() == dev.virft.tensor.SafetensorsDType.F32 ? reader.map(st) : null;
        params.put(name, loadedMaster(t != null ? t : reader.read(st), device));
      }
    }
    return new QwenVLModel(cfg, device, params);
  }

  /** Float32 masters in host memory (CPU only: a GPU's memory is the device's to refuse). */
  static void requireFits(QwenVLConfig cfg, Device device, String what) {
    if (device != Device.CPU) {
      return;
    }
    long elements = 0;
    for (long[] shape : WeightLayout.of(cfg).values()) {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      elements = Math.addExact(elements, n);
    }
    dev.virft.util.MemoryBudget.requireFits(what, Math.multiplyExact(elements, 4L));
  }

  private static boolean floating(dev.virft.tensor.SafetensorsDType d) {
    return switch (d) {
      case F64, F32, F16, BF16 -> true;
      default -> false;
    };
  }

  /**
   * The float32 master of a tensor just read or made: the tensor itself when it is already float32 on
   * the device (no copy), else its conversion, the other one freed at once (not left to the GC, which
   * runs too rarely to bound native memory: 2B float32 reached 17 GB that way).
   */
  private static Tensor loadedMaster(Tensor read, Device device) {
    Tensor m = read.to(device.torchDevice(), torch.ScalarType.Float);
    if (!m.is_same(read)) {
      read.close();
    }
    m.set_requires_grad(true);
    return m;
  }

  private static String abbreviate(List<String> names) {
    int shown = Math.min(names.size(), 20);
    String s = String.join(", ", names.subList(0, shown));
    return names.size() > shown ? s + ", ... (" + names.size() + " in all)" : s;
  }

  /**
   * Random weights for tests, benchmarks and the demo: matrices N(0, 0.02) (transformers'
   * initializer_range), norms 1, biases 0; deterministic for a seed.
   */
  static QwenVLModel randomInit(QwenVLConfig cfg, Device device, long seed) {
    requireFits(cfg, device, "the model's random float32 weights");
    Generator gen = torch.createCPUGenerator(seed);
    Map<String, Tensor> params = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : WeightLayout.of(cfg).entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      Tensor t;
      if (shape.length >= 2) {
        t = torch.empty(shape, new TensorOptions(torch.ScalarType.Float),
                new org.bytedeco.pytorch.MemoryFormatOptional())
            .normal_(0.0, 0.02, new GeneratorOptional(gen));
      } else if (name.contains("norm") || name.contains("ln_q")) {
        t = name.endsWith(".bias") ? torch.zeros(shape) : torch.ones(shape);
      } else {
        t = torch.zeros(shape);
      }
      params.put(name, loadedMaster(t, device));
    }
    return new QwenVLModel(cfg, device, params);
  }

  /** The hub layout (config.json + model.safetensors; tied: no lm_head), atomically. */
  static void save(Path dir, QwenVLConfig cfg, Map<String, Tensor> params) {
    AtomicFiles.writeDirectory(dir, tmp -> {
      Files.writeString(tmp.resolve("config.json"), Json.MAPPER.writeValueAsString(cfg.toHubJson()));
      // Safetensors.write brings one tensor at a time to the CPU.
      Safetensors.write(tmp.resolve("model.safetensors"), params, Map.of("format", "pt"));
    });
  }
}
