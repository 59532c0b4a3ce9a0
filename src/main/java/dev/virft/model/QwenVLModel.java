package dev.virft.model;

import dev.virft.generation.DecodeLoop;
import dev.virft.generation.EosTokenCriteria;
import dev.virft.generation.LogitsProcessor;
import dev.virft.generation.LogitsWarper;
import dev.virft.generation.RepetitionPenaltyLogitsProcessor;
import dev.virft.generation.SeededTokenSampler;
import dev.virft.generation.SuppressTokensLogitsProcessor;
import dev.virft.generation.TemperatureLogitsWarper;
import dev.virft.generation.TopKLogitsWarper;
import dev.virft.generation.TopPLogitsWarper;
import dev.virft.tensor.Device;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
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
import java.util.function.Predicate;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Qwen2-VL / Qwen2.5-VL for conditional generation: vision tower, multimodal merge of image features
 * into the {@code <|image_pad|>} positions, M-RoPE positions ({@link RopeIndex}), the Qwen2 decoder
 * and the LM head; with per-token log-probs and batched generation over an explicit {@link KVCache}.
 *
 * <p>Parameters are float32 masters keyed by hub name; on CUDA the forward casts them to bf16.
 * Attention is {@code scaled_dot_product_attention} with an additive mask (causal + padding) whose
 * blocked value is the dtype's most negative finite number, as transformers builds it, so that fully
 * padded query rows behave like the reference (uniform attention) instead of producing NaN.
 */
public final class QwenVLModel implements AutoCloseable {
  private final QwenVLConfig cfg;
  private final Device device;
  private final Map<String, Tensor> params;
  private final Qwen2LanguageModel lm;
  private final ImageEncoder vision;
  private LoraAdapters lora; // null unless LoRA adapters are attached

  private QwenVLModel(QwenVLConfig cfg, Device device, Map<String, Tensor> params) {
    this.cfg = cfg;
    this.device = device;
    this.params = params;
    for (Tensor p : params.values()) {
      // Kept alive across the callers' PointerScopes; released in close().
      p.retainReference();
    }
    long count = 0;
    for (Tensor p : params.values()) {
      count += p.numel();
    }
    dev.virft.tensor.CpuThreads.forModel(count, device);
    this.lm = new Qwen2LanguageModel(cfg, params, device);
    this.vision = VisionTowers.create(cfg, params::get, device);
  }

  // ---------------------------------------------------------------- loading, init, saving

  /**
   * Loads {@code config.json} and the safetensors weights (single file or sharded) of a checkpoint
   * directory; accepts hub names and transformers-5 names. Missing and unexpected tensors are
   * reported by name; a wrong shape names the tensor and both shapes.
   */
  public static QwenVLModel load(Path checkpointDir, Device device) {
    if (LoraConfig.isAdapterDir(checkpointDir) && !Files.exists(checkpointDir.resolve("config.json"))) {
      // A PEFT adapter directory (e.g. a LoRA checkpoint-N): its base with the adapter merged in, which
      // computes what base + adapter computes, for inference and evaluation.
      QwenVLModel m = loadWithAdapter(checkpointDir, device);
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
  private static void requireFits(QwenVLConfig cfg, Device device, String what) {
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
  public static QwenVLModel randomInit(QwenVLConfig cfg, Device device, long seed) {
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

  // ---------------------------------------------------------------- LoRA

  /**
   * A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) on its base model
   * ({@code base_model_name_or_path}), adapters attached and trainable, base frozen.
   */
  public static QwenVLModel loadWithAdapter(Path adapterDir, Device device) {
    return loadWithAdapter(adapterDir, LoraConfig.read(adapterDir).requireBase(adapterDir), device);
  }

  /** As {@link #loadWithAdapter(Path, Device)} on the given base directory. */
  public static QwenVLModel loadWithAdapter(Path adapterDir, Path base, Device device) {
    LoraConfig lc = LoraConfig.read(adapterDir).withBase(base);
    QwenVLModel m = load(base, device);
    m.attach(LoraAdapters.read(adapterDir, m.cfg, lc, device));
    return m;
  }

  /**
   * Adds fresh LoRA adapters (A kaiming-uniform from {@code seed}, B zero) to the language model's
   * target modules and freezes every base weight; {@link #parameters()} then lists the adapters too,
   * and only they require gradients.
   */
  public void addLora(LoraConfig lc, long seed) {
    attach(LoraAdapters.init(cfg, lc.validated("LoRA options"), device, seed));
  }

  private void attach(LoraAdapters adapters) {
    if (lora != null) {
      throw new IllegalStateException("LoRA adapters are already attached");
    }
    // Frozen base weights never take an update: on CUDA they stay in bf16 only (the hub checkpoints'
    // own precision), which halves their memory; that is most of what LoRA saves besides the moments.
    freezeInComputeDtype();
    lora = adapters;
    lm.setLora(adapters);
  }

  public boolean hasLora() {
    return lora != null;
  }

  /** The attached adapter's configuration, or null without one. */
  public LoraConfig loraConfig() {
    return lora == null ? null : lora.config();
  }

  /**
   * Switches the adapters off (the base model computes alone) or on again. GRPO's reference under
   * LoRA is this model with adapters off, as TRL does with PEFT: no second copy of the weights.
   */
  public void setAdaptersEnabled(boolean on) {
    if (lora == null) {
      throw new IllegalStateException("no LoRA adapters are attached");
    }
    lora.setEnabled(on);
  }

  public boolean adaptersEnabled() {
    return lora != null && lora.enabled();
  }

  /**
   * Folds the adapters into the base weights (W + (alpha / r) B A, in float32) and drops them; the
   * model is then a plain model whose parameters are float32 masters again.
   */
  public void mergeLora() {
    if (lora == null) {
      throw new IllegalStateException("no LoRA adapters are attached");
    }
    lm.releaseCastCopies();
    try (NoGradGuard ng = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        String name = e.getKey();
        String module = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
        Tensor old = e.getValue();
        Tensor merged = old.detach().to(torch.ScalarType.Float);
        if (module != null && lora.modules().contains(module)) {
          merged = merged.add(lora.deltaWeight(module));
        }
        merged = merged.clone().contiguous();
        merged.retainReference();
        e.setValue(merged);
        old.releaseReference();
      }
    }
    lm.setLora(null);
    lora.close();
    lora = null;
  }

  /** Writes adapter_config.json and adapter_model.safetensors in PEFT's layout, atomically. */
  public void saveAdapter(Path dir) {
    if (lora == null) {
      throw new IllegalStateException("no LoRA adapters are attached");
    }
    AtomicFiles.writeDirectory(dir, tmp -> {
      Files.writeString(tmp.resolve(LoraConfig.CONFIG_FILE), lora.config().toPeftJson().toPrettyString());
      Safetensors.write(tmp.resolve(LoraConfig.WEIGHTS_FILE), lora.peftStateDict(), Map.of("format", "pt"));
    });
  }

  /**
   * Writes the model: with LoRA adapters attached, only the adapter in PEFT's layout (the base stays
   * where {@code base_model_name_or_path} says); otherwise the hub layout (config.json +
   * model.safetensors; tied: no lm_head), atomically.
   */
  public void save(Path dir) {
    if (lora != null) {
      saveAdapter(dir);
      return;
    }
    saveFull(dir);
  }

  /** The hub layout, whatever is attached (with adapters merged first, see {@link #mergeLora}). */
  private void saveFull(Path dir) {
    AtomicFiles.writeDirectory(dir, tmp -> {
      Files.writeString(tmp.resolve("config.json"), Json.MAPPER.writeValueAsString(cfg.toHubJson()));
      // Safetensors.write brings one tensor at a time to the CPU.
      Safetensors.write(tmp.resolve("model.safetensors"), params, Map.of("format", "pt"));
    });
  }

  // ---------------------------------------------------------------- accessors

  public QwenVLConfig config() {
    return cfg;
  }

  /** Bytes of the compute-dtype copies kept for no-grad passes (bf16 casts, fused projections); 0 in float32. */
  public long keptCopyBytes() {
    return lm.keptCopyBytes();
  }

  public Device device() {
    return device;
  }

  /**
   * The float32 master parameters by hub name (live tensors: optimisers update them in place); with
   * LoRA, the adapters follow as {@code MODULE.lora_A.weight} / {@code MODULE.lora_B.weight}.
   */
  public StateDict parameters() {
    StateDict sd = new StateDict("model parameters");
    params.forEach(sd::put);
    if (lora != null) {
      lora.masters().forEach(sd::put);
    }
    return sd;
  }

  /** Parameters whose name passes get gradients; the others are frozen. */
  public void setTrainable(Predicate<String> byName) {
    params.forEach((name, p) -> p.set_requires_grad(byName.test(name)));
  }

  /**
   * Makes this a frozen model (GRPO's reference): no parameter gets gradients, and where the device
   * computes in a narrower dtype (bf16 on CUDA) the weights are kept only in that dtype. A frozen
   * model never takes an update, so float32 masters would only double its memory (8.8 GB for 2B).
   */
  public void freezeInComputeDtype() {
    setTrainable(name -> false);
    torch.ScalarType compute = device.computeType();
    if (compute.intern() == torch.ScalarType.Float) {
      return;
    }
    lm.releaseCastCopies();
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      Tensor old = e.getValue();
      Tensor low = old.detach().to(compute).contiguous();
      low.retainReference();
      e.setValue(low);
      old.releaseReference();
    }
  }

  /** Clears every parameter's gradient. */
  public void zeroGrad() {
    for (Tensor p : parameters().asMap().values()) {
      Tensor g = p.grad();
      if (g.defined()) {
        g.zero_();
      }
    }
  }

  // ---------------------------------------------------------------- forward passes

  /** The vision tower's merged embeddings [tokens, hidden] for the images of a batch. */
  public Tensor imageEmbeddings(Tensor pixelValues, long[][] imageGridThw) {
    if (vision == null) {
      throw new VirftException("model: no vision tower is available for " + cfg.modelType());
    }
    if (imageGridThw == null) {
      throw new VirftException("model: pixel values given without image_grid_thw");
    }
    long patches = 0;
    for (long[] g : imageGridThw) {
      patches += g[0] * g[1] * g[2];
    }
    if (pixelValues.dim() != 2 || pixelValues.size(0) != patches
        || pixelValues.size(1) != cfg.vision().patchDim()) {
      throw new VirftException("pixel_values: shape " + Arrays.toString(Tensors.shape(pixelValues))
          + ", expected [" + patches + ", " + cfg.vision().patchDim() + "] for image_grid_thw "
          + Arrays.deepToString(imageGridThw));
    }
    return vision.encode(pixelValues.to(device.torchDevice(), device.computeType()), imageGridThw)
        .to(device.computeType());
  }

  /**
   * Logits [B, L, V] (float32). {@code pixelValues} may be null (text only); {@code cache} may be
   * null (a full pass). With a cache, {@code attentionMask} covers the cached tokens and the new ones.
   */
  public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor pixelValues, long[][] imageGridThw,
      KVCache cache) {
    Tensor images = pixelValues == null ? null : imageEmbeddings(pixelValues, imageGridThw);
    return forwardWithImageEmbeds(inputIds, attentionMask, images, imageGridThw, cache);
  }

  /** As {@link #forward}, with precomputed image embeddings [tokens, hidden] (or null). */
  public Tensor forwardWithImageEmbeds(Tensor inputIds, Tensor attentionMask, Tensor imageEmbeds,
      long[][] imageGridThw, KVCache cache) {
    return lm.logits(hidden(inputIds, attentionMask, imageEmbeds, imageGridThw, cache));
  }

  /**
   * Log-probabilities of {@code inputIds[:, promptLength:]} given everything before them:
   * [B, L - promptLength], differentiable with respect to the parameters.
   */
  public Tensor completionLogProbs(Tensor inputIds, Tensor attentionMask, Tensor pixelValues,
      long[][] imageGridThw, int promptLength) {
    Tensor images = pixelValues == null ? null : imageEmbeddings(pixelValues, imageGridThw);
    return completionLogProbsWithImageEmbeds(inputIds, attentionMask, images, imageGridThw, promptLength);
  }

  public Tensor completionLogProbsWithImageEmbeds(Tensor inputIds, Tensor attentionMask,
      Tensor imageEmbeds, long[][] imageGridThw, int promptLength) {
    long len = inputIds.size(1);
    if (promptLength < 1 || promptLength > len) {
      throw new VirftException("completionLogProbs: prompt length " + promptLength
          + " is outside [1, " + len + "]");
    }
    Tensor h = hidden(inputIds, attentionMask, imageEmbeds, imageGridThw, null);
    long n = len - promptLength;
    // Only the positions that predict completion tokens go through the (vocabulary-sized) head.
    Tensor logits = lm.logits(h.narrow(1, promptLength - 1, n));
    Tensor logp = torch.log_softmax(logits, -1);
    Tensor targets = inputIds.to(device.torchDevice(), torch.ScalarType.Long).narrow(1, promptLength, n);
    return torch.gather(logp, 2, targets.unsqueeze(-1)).squeeze(-1);
  }

  /**
   * As {@link #completionLogProbsWithImageEmbeds} for G completions ({@code completionIds} [G, T]) of
   * one prompt ({@code promptIds} [1, L]), with the prompt run once instead of G times: its keys and
   * values are shared by the G rows ({@link SharedPromptKV}). The same values and gradients as a pass
   * over G copies of prompt + completion; differentiable unless called under no-grad.
   */
  public Tensor completionLogProbsSharedPrompt(Tensor promptIds, Tensor promptMask, Tensor imageEmbeds,
      long[][] imageGridThw, Tensor completionIds) {
    if (promptIds.size(0) != 1) {
      throw new IllegalArgumentException("one prompt row expected, got " + promptIds.size(0));
    }
    int l = (int) promptIds.size(1);
    int g = (int) completionIds.size(0);
    int t = (int) completionIds.size(1);
    long[][] pid = Tensors.toLongs2d(promptIds);
    long[][] pmask = promptMask == null ? ones(1, l) : Tensors.toLongs2d(promptMask);
    org.bytedeco.pytorch.Device dev = device.torchDevice();
    SharedPromptKV kv = new SharedPromptKV(cfg.text().numHiddenLayers());
    Tensor idsDev = promptIds.to(dev, torch.ScalarType.Long);
    Tensor embeds = lm.embed(idsDev);
    if (imageEmbeds != null) {
      embeds = mergeImages(embeds, idsDev, imageEmbeds);
    }
    RopeIndex.Result r = RopeIndex.compute(cfg, pid, pmask, imageEmbeds == null ? null : imageGridThw);
    Tensor positions = Tensors.longs(r.flat(), 3, 1, l).to(dev, torch.ScalarType.Long);
    Tensor hp = lm.forward(embeds, positions, additiveMask(pmask, 0, l, l), kv);
    if (t == 0) {
      return torch.zeros(new long[] {g, 0}, new TensorOptions(torch.ScalarType.Float)
          .device(new org.bytedeco.pytorch.DeviceOptional(dev)));
    }
    kv.expandTo(g);
    long real = 0;
    for (long m : pmask[0]) {
      real += m == 1 ? 1 : 0;
    }
    long delta = r.deltas()[0];
    long[] flat = new long[3 * g * t];
    long[][] mask = new long[g][l + t];
    for (int i = 0; i < g; i++) {
      System.arraycopy(pmask[0], 0, mask[i], 0, l);
      Arrays.fill(mask[i], l, l + t, 1L);
      for (int a = 0; a < 3; a++) {
        for (int j = 0; j < t; j++) {
          flat[(a * g + i) * t + j] = real + j + delta;
        }
      }
    }
    Tensor ids = completionIds.to(dev, torch.ScalarType.Long);
    Tensor hc = lm.forward(lm.embed(ids), Tensors.longs(flat, 3, g, t).to(dev, torch.ScalarType.Long),
        additiveMask(mask, l, t, l + t), kv);
    // The prompt's last position predicts the first completion token, completion j predicts j + 1.
    Tensor last = hp.narrow(1, l - 1, 1).expand(g, 1, hp.size(-1));
    Tensor h = t == 1 ? last : torch.cat(new org.bytedeco.pytorch.TensorVector(last, hc.narrow(1, 0, t - 1)), 1);
    Tensor logp = torch.log_softmax(lm.logits(h), -1);
    return torch.gather(logp, 2, ids.unsqueeze(-1)).squeeze(-1);
  }

  /** M-RoPE positions [3, B, L] and deltas [B] of a left-padded batch, as transformers computes them. */
  public RopeIndex.Result ropeIndex(Tensor inputIds, Tensor attentionMask, long[][] imageGridThw) {
    long[][] ids = Tensors.toLongs2d(inputIds);
    long[][] mask = attentionMask == null ? null : Tensors.toLongs2d(attentionMask);
    return RopeIndex.compute(cfg, ids, mask, imageGridThw);
  }

  private Tensor hidden(Tensor inputIds, Tensor attentionMask, Tensor imageEmbeds, long[][] grids,
      KVCache cache) {
    long b = inputIds.size(0);
    long l = inputIds.size(1);
    int past = cache == null ? 0 : cache.length();
    long[][] ids = Tensors.toLongs2d(inputIds);
    long[][] mask = attentionMask == null ? ones(b, past + l) : Tensors.toLongs2d(attentionMask);
    if (mask.length != b || (b > 0 && mask[0].length != past + l)) {
      throw new VirftException("attention_mask: shape [" + mask.length + ", "
          + (b > 0 ? mask[0].length : 0) + "], expected [" + b + ", " + (past + l) + "]");
    }
    Tensor idsDev = inputIds.to(device.torchDevice(), torch.ScalarType.Long);
    Tensor embeds = lm.embed(idsDev);
    if (imageEmbeds != null) {
      embeds = mergeImages(embeds, idsDev, imageEmbeds);
    }
    Tensor positions;
    if (past == 0) {
      RopeIndex.Result r = RopeIndex.compute(cfg, ids, mask, imageEmbeds == null ? null : grids);
      positions = Tensors.longs(r.flat(), 3, b, l);
      if (cache != null) {
        cache.setRopeDeltas(r.deltas());
      }
    } else {
      // Decoding: the j-th new token of a row sits at (real tokens before it) + j + delta.
      long[] deltas = cache.ropeDeltas();
      long[] flat = new long[(int) (3 * b * l)];
      for (int i = 0; i < b; i++) {
        long real = 0;
        for (int j = 0; j < past; j++) {
          real += mask[i][j] == 1 ? 1 : 0;
        }
        for (int a = 0; a < 3; a++) {
          for (int j = 0; j < l; j++) {
            flat[(int) ((a * b + i) * l + j)] = real + j + deltas[i];
          }
        }
      }
      positions = Tensors.longs(flat, 3, b, l);
    }
    positions = positions.to(device.torchDevice(), torch.ScalarType.Long);
    if (cache != null) {
      if (cache.batch() != b || past + l > cache.capacity()) {
        throw new VirftException("KV cache: holds " + cache.batch() + " rows x " + cache.capacity()
            + " positions, the input needs " + b + " x " + (past + l));
      }
      cache.recordMask(mask, past);
    }
    Tensor add = additiveMask(mask, past, (int) l, cache == null ? past + (int) l : cache.attendLength((int) l));
    Tensor h = lm.forward(embeds, positions, add, cache);
    if (cache != null) {
      cache.advance((int) l);
    }
    return h;
  }

  private Tensor mergeImages(Tensor embeds, Tensor ids, Tensor imageEmbeds) {
    Tensor isImage = ids.eq(new Scalar(cfg.imageTokenId()));
    long tokens = isImage.sum().item_long();
    if (tokens != imageEmbeds.size(0)) {
      throw new VirftException("input_ids: " + tokens + " <|image_pad|> tokens (id "
          + cfg.imageTokenId() + ") but the images give " + imageEmbeds.size(0) + " embeddings");
    }
    Tensor m = isImage.unsqueeze(-1).expand_as(embeds);
    return embeds.masked_scatter(m, imageEmbeds.to(embeds.scalar_type()));
  }

  /**
   * [B, 1, L, K]: 0 where query i may see key j (key not padding, j <= past + i), the dtype's minimum
   * elsewhere. K >= past + L; keys beyond past + L (an unwritten cache tail) are blocked.
   */
  private Tensor additiveMask(long[][] mask, int past, int l, int k) {
    int b = mask.length;
    long[] flat = new long[b * k];
    for (int i = 0; i < b; i++) {
      System.arraycopy(mask[i], 0, flat, i * k, past + l);
    }
    org.bytedeco.pytorch.Device dev = device.torchDevice();
    Tensor keyOk = Tensors.longs(flat, b, 1, 1, k).to(dev, torch.ScalarType.Long).eq(new Scalar(1));
    TensorOptions lo = new TensorOptions(torch.ScalarType.Long);
    Tensor qi = torch.arange(new Scalar(past), new Scalar(past + l), lo).view(1, 1, l, 1).to(dev, torch.ScalarType.Long);
    Tensor kj = torch.arange(new Scalar(0), new Scalar(k), lo).view(1, 1, 1, k).to(dev, torch.ScalarType.Long);
    Tensor allowed = kj.le(qi).logical_and(keyOk);
    TensorOptions fo = new TensorOptions(device.computeType())
        .device(new org.bytedeco.pytorch.DeviceOptional(dev));
    return torch.zeros(new long[] {b, 1, l, k}, fo)
        .masked_fill(allowed.logical_not(), new Scalar(minValue()));
  }

  private double minValue() {
    return device.computeType() == torch.ScalarType.BFloat16 ? -3.3895313892515355e38 : -Float.MAX_VALUE;
  }

  private static long[][] ones(long b, long l) {
    long[][] m = new long[(int) b][(int) l];
    for (long[] row : m) {
      Arrays.fill(row, 1L);
    }
    return m;
  }

  // ---------------------------------------------------------------- generation

  /**
   * Batched generation with the KV cache. Prompts may be left padded; each gives
   * {@code numReturnSequences} rows (prompt-major). Greedy, or sampling with temperature / top-k /
   * top-p; prompt p draws from a generator seeded with {@code gen.seed() + p} (see the overload with
   * explicit seeds). Each step runs in its own PointerScope: the cache is the only state kept.
   */
  public GenerationOutput generate(Tensor inputIds, Tensor attentionMask, Tensor pixelValues,
      long[][] imageGridThw, GenerationConfig gen) {
    return generate(inputIds, attentionMask, pixelValues, imageGridThw, gen, defaultSeeds(inputIds, gen));
  }

  /** As {@link #generate}, prompt p sampling from a generator seeded with {@code promptSeeds[p]}. */
  public GenerationOutput generate(Tensor inputIds, Tensor attentionMask, Tensor pixelValues,
      long[][] imageGridThw, GenerationConfig gen, long[] promptSeeds) {
    try (NoGradGuard ng = new NoGradGuard()) {
      Tensor images = null;
      try (PointerScope scope = new PointerScope()) {
        if (pixelValues != null) {
          images = imageEmbeddings(pixelValues, imageGridThw);
          images.retainReference();
        }
      }
      try {
        return generateWithImageEmbeds(inputIds, attentionMask, images, imageGridThw, gen, promptSeeds);
      } finally {
        if (images != null) {
          images.releaseReference();
        }
      }
    }
  }

  public GenerationOutput generateWithImageEmbeds(Tensor inputIds, Tensor attentionMask,
      Tensor imageEmbeds, long[][] imageGridThw, GenerationConfig gen) {
    return generateWithImageEmbeds(inputIds, attentionMask, imageEmbeds, imageGridThw, gen,
        defaultSeeds(inputIds, gen));
  }

  private static long[] defaultSeeds(Tensor inputIds, GenerationConfig gen) {
    long[] seeds = new long[(int) inputIds.size(0)];
    for (int p = 0; p < seeds.length; p++) {
      seeds[p] = gen.seed() + p;
    }
    return seeds;
  }

  /** The decode loop's statistics of this thread's last generate call (for {@code virft bench generate}). */
  public static DecodeLoop.Stats lastDecodeStats() {
    return LAST_STATS.get();
  }

  private static final ThreadLocal<DecodeLoop.Stats> LAST_STATS = new ThreadLocal<>();

  /**
   * Generation from precomputed image embeddings: each prompt is prefilled once, alone and without
   * its padding (its samples share prompt, image and prefill), and its cache is copied to its
   * {@code numReturnSequences} rows of the batch's cache; then {@link DecodeLoop}
   * decodes all rows together on the device.
   */
  public GenerationOutput generateWithImageEmbeds(Tensor inputIds, Tensor attentionMask,
      Tensor imageEmbeds, long[][] imageGridThw, GenerationConfig gen, long[] promptSeeds) {
    try (NoGradGuard ng = new NoGradGuard()) {
      int prompts = (int) inputIds.size(0);
      int len = (int) inputIds.size(1);
      int n = gen.numReturnSequences();
      int rows = prompts * n;
      int maxNew = gen.maxNewTokens();
      if (promptSeeds.length != prompts) {
        throw new IllegalArgumentException(promptSeeds.length + " seeds for " + prompts + " prompts");
      }
      long[][] ids = Tensors.toLongs2d(inputIds);
      long[][] mask = attentionMask == null ? ones(prompts, len) : Tensors.toLongs2d(attentionMask);
      if (maxNew == 0) {
        return new GenerationOutput(new long[rows][0], new int[rows]);
      }
      long[][] real = new long[prompts][];
      int longest = 0;
      for (int p = 0; p < prompts; p++) {
        real[p] = realTokens(ids[p], mask[p]);
        if (real[p].length == 0) {
          throw new VirftException("generate: prompt " + p + " has no tokens (its attention mask is all 0)");
        }
        longest = Math.max(longest, real[p].length);
      }
      long[][][] grids = imageGridThw == null ? null : gridsPerPrompt(ids, imageGridThw);
      org.bytedeco.pytorch.Device dev = device.torchDevice();
      List<LogitsProcessor> processors = new ArrayList<>();
      if (gen.repetitionPenalty() != 1.0) {
        processors.add(new RepetitionPenaltyLogitsProcessor(gen.repetitionPenalty()));
      }
      SuppressTokensLogitsProcessor suppress = gen.suppressTokenIds().length == 0 ? null
          : new SuppressTokensLogitsProcessor(gen.suppressTokenIds());
      if (suppress != null) {
        processors.add(suppress);
      }
      List<LogitsWarper> warpers = List.of(
          new TopKLogitsWarper(gen.topK()),
          new TemperatureLogitsWarper(gen.temperature()),
          new TopPLogitsWarper(gen.topP()));
      SeededTokenSampler sampler = gen.doSample()
          ? SeededTokenSampler.sampling(promptSeeds, n)
          : SeededTokenSampler.greedy();
      int[] lengths = new int[rows];
      try (EosTokenCriteria eos = new EosTokenCriteria(gen.stopTokenIds());
          PointerScope outer = new PointerScope();
          QwenDecodeSession session = new QwenDecodeSession(lm, cfg, device, rows, longest, maxNew)) {
        Tensor[] firstLogits = new Tensor[prompts];
        long offset = 0;
        for (int p = 0; p < prompts; p++) {
          Tensor mine = null;
          if (imageEmbeds != null) {
            long count = countImageTokens(real[p]);
            mine = imageEmbeds.narrow(0, offset, count);
            offset += count;
          }
          // The prompt alone, unpadded: what generating it on its own computes.
          int l = real[p].length;
          try (KVCache own = new KVCache(cfg, 1, l, device)) {
            Tensor h = hidden(Tensors.longs(real[p], 1, l), null, mine, grids == null ? null : grids[p], own);
            Tensor logits = lm.logits(h.select(1, l - 1));
            firstLogits[p] = n == 1 ? logits : logits.expand(n, logits.size(-1));
            session.addPrompt(own, p * n, n, l, own.ropeDeltas()[0]);
          }
        }
        Tensor first = Tensors.cat(0, firstLogits).contiguous();
        Tensor history = null;
        if (!processors.isEmpty() && gen.repetitionPenalty() != 1.0) {
          long[] hist = new long[rows * (len + maxNew)];
          for (int r = 0; r < rows; r++) {
            System.arraycopy(ids[r / n], 0, hist, r * (len + maxNew), len);
          }
          history = Tensors.longs(hist, rows, len + maxNew).to(dev, torch.ScalarType.Long);
        }
        session.start();
        DecodeLoop loop = new DecodeLoop(processors, warpers, sampler, eos,
            gen.padTokenId(), maxNew, device == Device.CPU ? 4 : 8, true);
        long[][] tokens = loop.run(session, first, history, len, lengths);
        LAST_STATS.set(loop.stats());
        return new GenerationOutput(tokens, lengths);
      } finally {
        if (suppress != null) {
          suppress.close();
        }
      }
    }
  }

  private static long[] realTokens(long[] ids, long[] mask) {
    int count = 0;
    for (long m : mask) {
      count += m == 1 ? 1 : 0;
    }
    long[] out = new long[count];
    for (int j = 0, k = 0; j < ids.length; j++) {
      if (mask[j] == 1) {
        out[k++] = ids[j];
      }
    }
    return out;
  }

  private long countImageTokens(long[] row) {
    long count = 0;
    for (long id : row) {
      if (id == cfg.imageTokenId()) {
        count++;
      }
    }
    return count;
  }

  /** Each prompt's rows of image_grid_thw (its images in order; a prompt may have none). */
  private long[][][] gridsPerPrompt(long[][] ids, long[][] grids) {
    long[][][] out = new long[ids.length][][];
    int g = 0;
    for (int p = 0; p < ids.length; p++) {
      long[] row = ids[p];
      int images = 0;
      for (int j = 0; j + 1 < row.length; j++) {
        if (row[j] == cfg.visionStartTokenId() && row[j + 1] == cfg.imageTokenId()) {
          images++;
        }
      }
      if (g + images > grids.length) {
        throw new VirftException("image_grid_thw: " + grids.length + " rows, but the prompts hold more images");
      }
      out[p] = Arrays.copyOfRange(grids, g, g + images);
      g += images;
    }
    return out;
  }

  @Override
  public void close() {
    lm.releaseCastCopies();
    if (lora != null) {
      lora.close();
    }
    for (Tensor p : params.values()) {
      p.releaseReference();
    }
  }
}
