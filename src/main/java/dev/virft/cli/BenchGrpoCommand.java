package dev.virft.cli;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.LoraConfig;
import dev.virft.model.QwenVLModel;
import dev.virft.rl.AdamW;
import dev.virft.rl.CompletionMask;
import dev.virft.rl.GradientClipping;
import dev.virft.rl.GrpoLoss;
import dev.virft.rl.LossType;
import dev.virft.rl.MemoryBreakdown;
import dev.virft.rl.ModelPresets;
import dev.virft.rl.QwenPolicy;
import dev.virft.rl.QwenPrompt;
import dev.virft.rl.Sampling;
import dev.virft.rl.TensorData;
import dev.virft.tensor.Device;
import dev.virft.util.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code virft bench grpo}: times the phases of one GRPO step (generate G samples, reference
 * log-probs, policy forward+backward of the loss, clip + AdamW step) with random weights, on one
 * prompt with a random image, as {@link dev.virft.rl.GrpoTrainer} runs them. Not a test.
 */
@Command(name = "grpo", mixinStandardHelpOptions = true,
    description = "Time one GRPO step (generate / reference / policy fwd+bwd / optimizer) with random weights.")
public final class BenchGrpoCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "tiny", description = "tiny, qwen2-vl-2b, or a config.json / checkpoint dir.")
  String model;

  @Option(names = "--device", defaultValue = "cpu")
  String device;

  @Option(names = {"--num_generations", "--num-generations"}, defaultValue = "8")
  int g;

  @Option(names = {"--max_new_tokens", "--max-new-tokens"}, defaultValue = "128")
  int maxNewTokens;

  @Option(names = "--image", defaultValue = "448", description = "Square image side in pixels (multiple of 28); 0 = text only.")
  int image;

  @Option(names = {"--prompt_tokens", "--prompt-tokens"}, defaultValue = "40", description = "Text tokens besides the image.")
  int promptTokens;

  @Option(names = "--beta", defaultValue = "0.04")
  double beta;

  @Option(names = "--steps", defaultValue = "2", description = "Timed steps (after one warm-up step).")
  int steps;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(names = {"--lora_r", "--lora-r"}, defaultValue = "0",
      description = "0 = full fine-tuning; > 0: LoRA of this rank (alpha 2r) on all language-model linear "
          + "modules, reference = the same model with adapters off.")
  int loraR;

  @Override
  public Integer call() {
    Device dev = Device.parse(device);
    QwenVLConfig cfg = ModelPresets.resolve(model);
    try (QwenVLModel policyModel = QwenVLModel.randomInit(cfg, dev, seed);
        QwenVLModel refModel = beta > 0 && loraR == 0 ? QwenVLModel.randomInit(cfg, dev, seed) : null) {
      if (refModel != null) {
        refModel.freezeInComputeDtype();
      }
      if (loraR > 0) {
        policyModel.addLora(new LoraConfig(loraR, 2.0 * loraR, 0, LoraConfig.MODULES, null), seed);
      }
      QwenPolicy policy = new QwenPolicy(policyModel);
      QwenPolicy ref = beta == 0 ? null
          : loraR > 0 ? QwenPolicy.withAdaptersDisabled(policyModel) : new QwenPolicy(refModel);
      LinkedHashMap<String, Tensor> params = policy.trainableParameters();
      AdamW opt = new AdamW(params, AdamW.Hyper.defaults(0.0));
      QwenPrompt prompt = randomPrompt(cfg);
      long[] stops = cfg.eosTokenIds();
      Sampling sampling = new Sampling(1.0, 50, 1.0, maxNewTokens, stops, 151643);
      List<double[]> times = new ArrayList<>();
      for (int s = 0; s <= steps; s++) {
        times.add(step(policy, ref, opt, params, prompt, sampling, s));
      }
      double[] avg = new double[6];
      for (int s = 1; s < times.size(); s++) {
        for (int k = 0; k < avg.length; k++) {
          avg[k] += times.get(s)[k] / steps;
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", model);
      out.put("device", dev == Device.CPU
          ? "cpu (" + Runtime.getRuntime().availableProcessors() + " cores, torch threads " + torch.get_num_threads() + ")"
          : "cuda");
      out.put("parameters", params.values().stream().mapToLong(Tensor::numel).sum());
      out.put("num_generations", g);
      out.put("max_new_tokens", maxNewTokens);
      out.put("image", image);
      out.put("prompt_length", prompt.length());
      out.put("beta", beta);
      out.put("lora_r", loraR);
      out.put("timed_steps", steps);
      out.put("generate_s", avg[0]);
      out.put("reference_s", avg[1]);
      out.put("policy_fwd_bwd_s", avg[2]);
      out.put("optimizer_s", avg[3]);
      out.put("step_s", avg[4]);
      out.put("generated_tokens_per_step", avg[5]);
      System.out.printf(Locale.ROOT,
          "GRPO step, %s on %s: generate %.3f s | reference %.3f s | policy fwd+bwd %.3f s | optimizer %.3f s | total %.3f s/step (%.0f generated tokens)%n",
          model, out.get("device"), avg[0], avg[1], avg[2], avg[3], avg[4], avg[5]);
      MemoryBreakdown mem = memory(cfg, policyModel, refModel, params, opt, prompt.length());
      mem.asMap().forEach((k, v) -> out.put("memory_mib/" + k, Math.round(v / 1048576.0 * 10) / 10.0));
      System.out.println(mem.table());
      System.out.println(Json.line(out));
    }
    return 0;
  }

  private long activationBytes; // process growth over the policy forward (before backward), last step

  private MemoryBreakdown memory(QwenVLConfig cfg, QwenVLModel policyModel, QwenVLModel refModel,
      LinkedHashMap<String, Tensor> params, AdamW opt, long promptLength) {
    var t = cfg.text();
    long kvElement = dev.virft.tensor.Device.parse(device).computeType() == torch.ScalarType.Float ? 4 : 2;
    long kv = 2L * t.numHiddenLayers() * g * t.numKeyValueHeads() * (promptLength + maxNewTokens) * t.headDim() * kvElement;
    long head = 2L * g * maxNewTokens * t.vocabSize() * 4;
    return new MemoryBreakdown()
        .add("weights", MemoryBreakdown.bytesOf(policyModel.parameters().asMap().values()), "policy float32 masters")
        .add("copies", policyModel.keptCopyBytes() + (refModel == null ? 0 : refModel.keptCopyBytes()),
            "compute-dtype copies kept for no-grad passes")
        .add("moments", MemoryBreakdown.bytesOf(opt.stateTensors().values()), "AdamW exp_avg + exp_avg_sq")
        .add("gradients", MemoryBreakdown.gradientBytes(params.values()), null)
        .add("reference", refModel == null ? 0 : MemoryBreakdown.bytesOf(refModel.parameters().asMap().values()),
            refModel == null ? "none, or the LoRA base with adapters off" : "frozen, compute dtype")
        .add("kv_cache", kv, "G rows x (prompt + max_new_tokens), from the sizes")
        .add("activations", Math.max(0, activationBytes), String.format(Locale.ROOT,
            "measured RSS growth over the policy forward; of it logits + log-softmax %.1f MiB", head / 1048576.0));
  }

  private double[] step(QwenPolicy policy, QwenPolicy ref, AdamW opt, LinkedHashMap<String, Tensor> params,
      QwenPrompt prompt, Sampling sampling, int s) {
    // Everything a step makes is freed when it ends, as in the trainer (on a GPU, waiting for the
    // garbage collector to free device tensors runs out of memory).
    try (PointerScope stepScope = new PointerScope()) {
      return timedStep(policy, ref, opt, params, prompt, sampling, s);
    }
  }

  private double[] timedStep(QwenPolicy policy, QwenPolicy ref, AdamW opt, LinkedHashMap<String, Tensor> params,
      QwenPrompt prompt, Sampling sampling, int s) {
    long t0 = System.nanoTime();
    Tensor ids;
    try (NoGradGuard ng = new NoGradGuard()) {
      ids = policy.generate(prompt, g, sampling, seed + s);
    }
    sync();
    long t1 = System.nanoTime();
    Tensor mask = CompletionMask.of(ids, sampling.stopTokenIds());
    Tensor refLogps = null;
    if (ref != null) {
      float[] host;
      try (NoGradGuard ng = new NoGradGuard(); PointerScope pass = new PointerScope()) {
        host = TensorData.toFloats(ref.completionLogProbs(prompt, ids));
      }
      refLogps = TensorData.floats(host, g, ids.size(1));
    }
    sync();
    long t2 = System.nanoTime();
    double[] adv = new double[g];
    Random r = new Random(s);
    for (int i = 0; i < g; i++) {
      adv[i] = r.nextGaussian();
    }
    opt.zeroGrad();
    try (PointerScope scope = new PointerScope()) {
      long rss0 = org.bytedeco.javacpp.Pointer.physicalBytes();
      Tensor logps = policy.completionLogProbs(prompt, ids);
      Tensor loss = GrpoLoss.compute(logps, null, refLogps, mask, TensorData.doublesAsFloat(adv, g),
              new GrpoLoss.Config(LossType.GRPO, beta, 0.2, 0.2, maxNewTokens))
          .loss();
      activationBytes = org.bytedeco.javacpp.Pointer.physicalBytes() - rss0;
      loss.backward();
    }
    sync();
    long t3 = System.nanoTime();
    GradientClipping.clip(params.values(), 1.0);
    opt.step(1e-6);
    opt.zeroGrad();
    sync();
    long t4 = System.nanoTime();
    return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, (t4 - t0) / 1e9,
        mask.sum().item_double()};
  }

  private void sync() {
    if (torch.cuda_is_available() && !device.equalsIgnoreCase("cpu")) {
      torch.cuda_synchronize();
    }
  }

  /** The chat prompt's shape: system turn + vision tokens of the image + text, random ids. */
  private QwenPrompt randomPrompt(QwenVLConfig cfg) {
    Random r = new Random(seed);
    List<Long> ids = new ArrayList<>();
    int head = Math.min(20, promptTokens);
    for (int i = 0; i < head; i++) {
      ids.add((long) r.nextInt(150000));
    }
    Tensor pixels = null;
    long[][] grid = null;
    if (image > 0) {
      int side = image / 14;
      grid = new long[][] {{1, side, side}};
      int merge = cfg.vision().spatialMergeSize();
      long tokens = (long) side * side / (merge * merge);
      ids.add(cfg.visionStartTokenId());
      for (long i = 0; i < tokens; i++) {
        ids.add(cfg.imageTokenId());
      }
      ids.add(cfg.visionEndTokenId());
      pixels = torch.randn((long) side * side, cfg.vision().patchDim());
    }
    for (int i = head; i < promptTokens; i++) {
      ids.add((long) r.nextInt(150000));
    }
    long[] arr = ids.stream().mapToLong(Long::longValue).toArray();
    long[] mask = new long[arr.length];
    java.util.Arrays.fill(mask, 1);
    return new QwenPrompt(TensorData.longs(arr, 1, arr.length), TensorData.longs(mask, 1, arr.length), pixels, grid, "");
  }
}
