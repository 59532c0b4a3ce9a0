package dev.virft.model;

import dev.virft.generation.DecodeLoop;
import dev.virft.generation.Generation;
import dev.virft.model.lora.LoraAdapters;
import dev.virft.model.nn.ComputeWeights;
import dev.virft.model.nn.Linear;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.text.Qwen2Model;
import dev.virft.tensor.Device;
import dev.virft.tensor.PanelLinear;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Qwen2-VL / Qwen2.5-VL for conditional generation (transformers' {@code Qwen2VLForConditionalGeneration}
 * with its {@code Qwen2VLModel}): the vision tower {@code visual} ({@link #imageEmbeddings}, transformers'
 * {@code get_image_features}), the merge of image features into the {@code <|image_pad|>} positions, M-RoPE
 * positions ({@link RopeIndex}, {@code get_rope_index}), the Qwen2 decoder ({@link Qwen2Model}) and the LM
 * head ({@link #logits}); per-token log-probs, and batched generation ({@link Generation}) over an explicit
 * {@link KVCache}. Loading and saving are {@link QwenVLLoader}'s, LoRA is {@link LoraAdapters}'.
 *
 * <p>Parameters are float32 masters keyed by hub name, bound once into the modules; on CUDA the forward
 * casts them to bf16 ({@link ComputeWeights}).
 */
public final class QwenVLModel implements AutoCloseable {
  private final QwenVLConfig cfg;
  private final Device device;
  private final Map<String, Tensor> params;
  private final ComputeWeights weights;
  private Modules modules;
  private LoraAdapters lora; // null unless LoRA adapters are attached
  private final TokenLogProbs tokenLogProbs = new TokenLogProbs();

  /** The model and head over one set of masters; rebuilt when the masters are replaced (merge, freeze). */
  record Modules(Qwen2VLModel model, Tensor lmHead) {
    /** Binds {@code visual.*}, {@code model.*} and {@code lm_head.*} (the tied head is the embedding). */
    static Modules bind(QwenVLConfig cfg, ComputeWeights weights, WeightBinder b) {
      Qwen2VLModel model = new Qwen2VLModel(cfg, weights, b);
      Tensor lmHead = cfg.tieWordEmbeddings() ? model.languageModel().embedTokensWeight()
          : b.take("lm_head.weight", cfg.text().vocabSize(), cfg.text().hiddenSize());
      return new Modules(model, lmHead);
    }
  }

  QwenVLModel(QwenVLConfig cfg, Device device, Map<String, Tensor> params) {
    this.cfg = cfg;
    this.device = device;
    this.params = params;
    long count = 0;
    for (Tensor p : params.values()) {
      p.retainReference(); // kept alive across the callers' PointerScopes; released in close()
      count += p.numel();
    }
    dev.virft.tensor.CpuThreads.forModel(count, device);
    this.weights = new ComputeWeights(device);
    bind();
  }

  private void bind() {
    weights.release();
    modules = Modules.bind(cfg, weights, WeightBinder.of("model", params::get));
    for (Linear linear : modules.model().languageModel().linears()) {
      linear.setAdapter(lora == null ? null : lora.adapterFor(linear.module()));
    }
  }

  // ---------------------------------------------------------------- loading, init, saving

  /**
   * Loads {@code config.json} and the safetensors weights (single file or sharded) of a checkpoint
   * directory, or a PEFT adapter directory on its base ({@link QwenVLLoader#load}).
   */
  public static QwenVLModel load(Path checkpointDir, Device device) {
    return QwenVLLoader.load(checkpointDir, device);
  }

  /**
   * Random weights for tests, benchmarks and the demo: matrices N(0, 0.02) (transformers'
   * initializer_range), norms 1, biases 0; deterministic for a seed.
   */
  public static QwenVLModel randomInit(QwenVLConfig cfg, Device device, long seed) {
    return QwenVLLoader.randomInit(cfg, device, seed);
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
    QwenVLLoader.save(dir, cfg, params);
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
    m.attach(LoraAdapters.read(adapterDir, m.modules.model().languageModel().linears(), lc, device));
    return m;
  }

  /**
   * Adds fresh LoRA adapters (A kaiming-uniform from {@code seed}, B zero) to the language model's
   * target modules and freezes every base weight; {@link #parameters()} then lists the adapters too,
   * and only they require gradients.
   */
  public void addLora(LoraConfig lc, long seed) {
    attach(LoraAdapters.init(modules.model().languageModel().linears(), lc.validated("LoRA options"), device, seed));
  }

  private void attach(LoraAdapters adapters) {
    if (lora != null) {
      throw new IllegalStateException("LoRA adapters are already attached");
    }
    // Frozen base weights never take an update: on CUDA they stay in bf16 only (the hub checkpoints'
    // own precision), which halves their memory; that is most of what LoRA saves besides the moments.
    freezeInComputeDtype();
    lora = adapters;
    bind();
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
    requireLora().setEnabled(on);
  }

  public boolean adaptersEnabled() {
    return lora != null && lora.enabled();
  }

  /**
   * Folds the adapters into the base weights (W + (alpha / r) B A, in float32) and drops them; the
   * model is then a plain model whose parameters are float32 masters again.
   */
  public void mergeLora() {
    LoraAdapters adapters = requireLora();
    weights.release();
    adapters.mergeInto(params);
    lora = null;
    bind();
    adapters.close();
  }

  /** Writes adapter_config.json and adapter_model.safetensors in PEFT's layout, atomically. */
  public void saveAdapter(Path dir) {
    requireLora().save(dir);
  }

  private LoraAdapters requireLora() {
    if (lora == null) {
      throw new IllegalStateException("no LoRA adapters are attached");
    }
    return lora;
  }

  // ---------------------------------------------------------------- accessors

  public QwenVLConfig config() {
    return cfg;
  }

  /** Bytes of the copies kept for no-grad passes (bf16 casts, fused projections, packed decode weights). */
  public long keptCopyBytes() {
    return weights.keptBytes();
  }

  /** Bytes of the buffer the CPU log-prob passes keep for the head ({@link TokenLogProbs}); 0 before one ran. */
  public long logProbBufferBytes() {
    return tokenLogProbs.bytes();
  }

  /** Floats of the weights packed for decode steps (0 when none went through {@link PanelLinear}). */
  public long packedDecodeFloats() {
    return weights.packedFloats();
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
    if (weights.replaceByComputeCopies(params)) {
      bind();
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

  /** The vision tower's merged embeddings [tokens, hidden] for the images of a batch ({@code get_image_features}). */
  public Tensor imageEmbeddings(Tensor pixelValues, long[][] imageGridThw) {
    return modules.model().imageEmbeddings(pixelValues, imageGridThw);
  }

  /** M-RoPE positions [3, B, L] and deltas [B] of a left-padded batch, as transformers computes them. */
  public RopeIndex.Result ropeIndex(Tensor inputIds, Tensor attentionMask, long[][] imageGridThw) {
    return modules.model().ropeIndex(inputIds, attentionMask, imageGridThw);
  }

  /** The LM head: logits [..., V] in float32 of hidden states (the embedding matrix when tied). */
  Tensor logits(Tensor hidden) {
    Tensor head = modules.lmHead();
    Tensor packed = weights.packedProduct(hidden, head, head);
    return packed != null ? packed : torch.linear(hidden, weights.of(head)).to(torch.ScalarType.Float);
  }

  Qwen2VLModel model() {
    return modules.model();
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
    return logits(modules.model().hidden(inputIds, attentionMask, imageEmbeds, imageGridThw, cache));
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
    Tensor h = modules.model().hidden(inputIds, attentionMask, imageEmbeds, imageGridThw, null);
    long n = len - promptLength;
    // Only the positions that predict completion tokens go through the (vocabulary-sized) head.
    Tensor logp = torch.log_softmax(logits(h.narrow(1, promptLength - 1, n)), -1);
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
    Tensor h = sharedPromptHidden(promptIds, promptMask, imageEmbeds, imageGridThw, completionIds);
    if (h == null) {
      return noCompletionTokens(completionIds);
    }
    Tensor ids = completionIds.to(device.torchDevice(), torch.ScalarType.Long);
    Tensor head = weights.of(modules.lmHead());
    if (!GradMode.is_enabled() && TokenLogProbs.applies(device, head)) {
      return tokenLogProbs.values(flat(h), head, ids.reshape(new long[] {-1})).view(ids.sizes());
    }
    Tensor logp = torch.log_softmax(logits(h), -1);
    return torch.gather(logp, 2, ids.unsqueeze(-1)).squeeze(-1);
  }

  /**
   * As {@link #completionLogProbsSharedPrompt} for a loss: {@link LossLogProbs#backward} runs the loss's
   * backward. On the CPU in float32 the head's part of it is written by hand in one buffer kept by the
   * model ({@link TokenLogProbs}: no fresh vocabulary-sized tensors per pass); elsewhere it is autograd's.
   */
  public LossLogProbs completionLogProbsSharedPromptForLoss(Tensor promptIds, Tensor promptMask,
      Tensor imageEmbeds, long[][] imageGridThw, Tensor completionIds) {
    Tensor head = weights.of(modules.lmHead());
    if (!GradMode.is_enabled() || !TokenLogProbs.applies(device, head)) {
      return LossLogProbs.autograd(
          completionLogProbsSharedPrompt(promptIds, promptMask, imageEmbeds, imageGridThw, completionIds));
    }
    Tensor h = sharedPromptHidden(promptIds, promptMask, imageEmbeds, imageGridThw, completionIds);
    if (h == null) {
      return LossLogProbs.autograd(noCompletionTokens(completionIds));
    }
    Tensor ids = completionIds.to(device.torchDevice(), torch.ScalarType.Long);
    TokenLogProbs.Pending pending = tokenLogProbs.forLoss(flat(h), head, ids.reshape(new long[] {-1}));
    return new LossLogProbs(pending.logps().view(ids.sizes()), pending::backward);
  }

  /** The one prompt row's pass with its keys and values shared by the completions; null for T = 0. */
  private Tensor sharedPromptHidden(Tensor promptIds, Tensor promptMask, Tensor imageEmbeds,
      long[][] imageGridThw, Tensor completionIds) {
    if (promptIds.size(0) != 1) {
      throw new IllegalArgumentException("one prompt row expected, got " + promptIds.size(0));
    }
    return modules.model().sharedPromptHidden(promptIds, promptMask, imageEmbeds, imageGridThw, completionIds);
  }

  /** Log-probs [G, 0] of completions without tokens. */
  private Tensor noCompletionTokens(Tensor completionIds) {
    return torch.zeros(new long[] {completionIds.size(0), 0}, new TensorOptions(torch.ScalarType.Float)
        .device(new org.bytedeco.pytorch.DeviceOptional(device.torchDevice())));
  }

  private static Tensor flat(Tensor h) {
    return h.reshape(new long[] {-1, h.size(-1)});
  }

  // ---------------------------------------------------------------- generation

  /**
   * Batched generation with the KV cache ({@link Generation}). Prompts may be left padded; each gives
   * {@code numReturnSequences} rows (prompt-major). Greedy, or sampling with temperature / top-k /
   * top-p; prompt p draws from a generator seeded with {@code gen.seed() + p} (see the overload with
   * explicit seeds). Each step runs in its own PointerScope: the cache is the only state kept.
   */
  public GenerationOutput generate(Tensor inputIds, Tensor attentionMask, Tensor pixelValues,
      long[][] imageGridThw, GenerationConfig gen) {
    return generate(inputIds, attentionMask, pixelValues, imageGridThw, gen, gen.promptSeeds((int) inputIds.size(0)));
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
        gen.promptSeeds((int) inputIds.size(0)));
  }

  /** The decode loop's statistics of this thread's last generate call (for {@code virft bench generate}). */
  public static DecodeLoop.Stats lastDecodeStats() {
    return Generation.lastDecodeStats();
  }

  /**
   * Generation from precomputed image embeddings: each prompt is prefilled once, alone and without
   * its padding (its samples share prompt, image and prefill), into a {@link QwenDecodeSession}.
   */
  public GenerationOutput generateWithImageEmbeds(Tensor inputIds, Tensor attentionMask,
      Tensor imageEmbeds, long[][] imageGridThw, GenerationConfig gen, long[] promptSeeds) {
    int prompts = (int) inputIds.size(0);
    long[][] ids = Tensors.toLongs2d(inputIds);
    long[][] mask = attentionMask == null ? Qwen2VLModel.ones(prompts, inputIds.size(1)) : Tensors.toLongs2d(attentionMask);
    int[] lengths = new int[prompts * gen.numReturnSequences()];
    long[][] tokens = Generation.generate(
        (rows, longest, maxNew) -> new QwenDecodeSession(this, rows, longest, maxNew, imageEmbeds,
            imageGridThw == null ? null : QwenDecodeSession.gridsPerPrompt(cfg, ids, imageGridThw)),
        ids, mask, gen, promptSeeds, device == Device.CPU ? 4 : 8, lengths);
    return new GenerationOutput(tokens, lengths);
  }

  @Override
  public void close() {
    tokenLogProbs.close();
    weights.release();
    if (lora != null) {
      lora.close();
    }
    for (Tensor p : params.values()) {
      p.releaseReference();
    }
  }
}
