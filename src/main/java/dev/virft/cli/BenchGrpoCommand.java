package dev.virft.cli;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.LoraConfig;
import dev.virft.model.QwenVLModel;
import dev.virft.rl.GrpoOptions;
import dev.virft.rl.GrpoTrainer;
import dev.virft.rl.MemoryBreakdown;
import dev.virft.tools.ModelPresets;
import dev.virft.rl.QwenPolicy;
import dev.virft.rl.QwenPrompt;
import dev.virft.rl.RolloutTask;
import dev.virft.tensor.Tensors;
import dev.virft.train.Distributed;
import dev.virft.train.Zero;
import java.io.OutputStream;
import java.io.PrintStream;
import dev.virft.tensor.Device;
import dev.virft.util.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

  @Mixin LaunchArgs launch = new LaunchArgs();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (launch.launches()) {
      return launch.launch(spec, System.err);
    }
    Device dev = Device.parse(device);
    Distributed dist = launch.joinGroup(dev);
    QwenVLConfig cfg = ModelPresets.resolve(model);
    BenchChecks.grpo(cfg, image, g, maxNewTokens, promptTokens, steps);
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
      long parameters = policy.trainableParameters().values().stream().mapToLong(Tensor::numel).sum();
      QwenPrompt prompt = randomPrompt(cfg);
      List<Map<String, Object>> rows = new ArrayList<>();
      trainer(policy, ref, prompt, cfg, dist).onStep(rows::add).train(null);
      // Step 0 is the warm-up; the rest are timed.
      double[] avg = new double[6];
      String[] keys = {"time/generate", "time/reference", "time/policy", "time/optimizer", "step_time"};
      for (int s = 1; s < rows.size(); s++) {
        for (int k = 0; k < keys.length; k++) {
          avg[k] += ((Number) rows.get(s).get(keys[k])).doubleValue() / steps;
        }
        avg[5] += ((Number) rows.get(s).get("completion_length")).doubleValue() * g * dist.worldSize() / steps;
      }
      if (!dist.isMain()) {
        return 0;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", model);
      out.put("device", dev == Device.CPU
          ? "cpu (" + Runtime.getRuntime().availableProcessors() + " cores, torch threads " + torch.get_num_threads() + ")"
          : "cuda");
      out.put("parameters", parameters);
      out.put("processes", dist.worldSize());
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
      out.put("generated_tokens_per_s", avg[5] / avg[4]);
      System.out.printf(Locale.ROOT,
          "GRPO step, %s on %s x %d process(es): generate %.3f s | reference %.3f s | policy fwd+bwd %.3f s | optimizer %.3f s | total %.3f s/step (%.0f generated tokens, %.1f tokens/s)%n",
          model, out.get("device"), dist.worldSize(), avg[0], avg[1], avg[2], avg[3], avg[4], avg[5], avg[5] / avg[4]);
      MemoryBreakdown mem = memory(cfg, policyModel, refModel, policy.trainableParameters(), prompt.length());
      mem.asMap().forEach((k, v) -> out.put("memory_mib/" + k, Math.round(v / 1048576.0 * 10) / 10.0));
      System.out.println(mem.table());
      System.out.println(Json.line(out));
    }
    return 0;
  }

  /**
   * Where this rank's memory goes, from the tensors' sizes: the masters and kept copies as they are,
   * the AdamW moments and float32 gradients as the optimizer allocates them (two moments per trainable
   * element, 1/N of them under ZeRO), the KV cache and the logits of the policy pass.
   */
  private MemoryBreakdown memory(QwenVLConfig cfg, QwenVLModel policyModel, QwenVLModel refModel,
      LinkedHashMap<String, Tensor> params, long promptLength) {
    var t = cfg.text();
    long kvElement = Device.parse(device).computeType() == torch.ScalarType.Float ? 4 : 2;
    long kv = 2L * t.numHiddenLayers() * g * t.numKeyValueHeads() * (promptLength + maxNewTokens) * t.headDim() * kvElement;
    long head = 2L * g * maxNewTokens * t.vocabSize() * 4;
    long kept = policyModel.logProbBufferBytes() + (refModel == null ? 0 : refModel.logProbBufferBytes());
    long trainable = 0;
    for (Tensor p : params.values()) {
      trainable += p.numel() * 4;
    }
    return new MemoryBreakdown()
        .add("weights", MemoryBreakdown.bytesOf(policyModel.parameters().asMap().values()), "policy float32 masters")
        .add("copies", policyModel.keptCopyBytes() + (refModel == null ? 0 : refModel.keptCopyBytes()),
            "copies kept for no-grad passes: compute-dtype casts, fused projections, decode weights packed in the Java heap")
        .add("moments", 2 * trainable, "AdamW exp_avg + exp_avg_sq, float32 (ZeRO-1/2: 1/N per rank)")
        .add("gradients", trainable, "float32, one per trainable element")
        .add("reference", refModel == null ? 0 : MemoryBreakdown.bytesOf(refModel.parameters().asMap().values()),
            refModel == null ? "none, or the LoRA base with adapters off" : "frozen, compute dtype")
        .add("kv_cache", kv, "G rows x (prompt + max_new_tokens), from the sizes")
        .add("logits", kept > 0 ? kept : head, kept > 0
            ? "the head's log-prob buffers kept by the policy and reference models (one [G x T, vocab] float32 each)"
            : "policy pass logits + log-softmax over the completion, from the sizes");
  }

  /**
   * The real GRPO trainer on one random prompt per rank and step, with random rewards (so advantages
   * are not all 0): what is timed is exactly a {@code virft train} step, without checkpoints.
   */
  private GrpoTrainer<Integer, QwenPrompt> trainer(
      QwenPolicy policy, QwenPolicy ref, QwenPrompt prompt, QwenVLConfig cfg, Distributed dist) {
    GrpoOptions o = new GrpoOptions();
    o.numGenerations = g;
    o.maxCompletionLength = maxNewTokens;
    o.beta = beta;
    o.perDeviceTrainBatchSize = 1;
    o.gradientAccumulationSteps = 1;
    o.maxSteps = steps + 1;
    o.seed = seed;
    o.shuffle = false;
    o.progressBar = false;
    o.stopTokenIds = cfg.eosTokenIds();
    o.padTokenId = 151643;
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < (steps + 1) * dist.worldSize(); i++) {
      data.add(i);
    }
    Random rewards = new Random(seed + dist.rank());
    RolloutTask<Integer, QwenPrompt> task =
        new RolloutTask<>() {
          @Override
          public QwenPrompt encode(Integer example) {
            return prompt;
          }

          @Override
          public String decode(long[] completionIds) {
            return "";
          }

          @Override
          public List<String> rewardNames() {
            return List.of("random");
          }

          @Override
          public double[] rewards(Integer example, String completion) {
            return new double[] {rewards.nextGaussian()};
          }

          @Override
          public String promptText(Integer example) {
            return "";
          }
        };
    return new GrpoTrainer<>(o, data, task, policy, ref, new PrintStream(OutputStream.nullOutputStream()))
        .distributed(dist, Zero.NONE, Zero.DEFAULT_BUCKET_ELEMENTS);
  }

  /** The chat prompt's shape: system turn + vision tokens of the image + text, random ids. */
  private QwenPrompt randomPrompt(QwenVLConfig cfg) {
    Random r = new Random(seed);
    // Text ids below the vocabulary and below the vision placeholders (the real ones sit at its end).
    long textIds = Math.min(150000, cfg.text().vocabSize());
    for (long v : cfg.visionTokenIds()) {
      textIds = Math.min(textIds, v);
    }
    OptionChecks.require(textIds >= 1, "--model", "a vocabulary with text ids below the vision tokens", textIds);
    List<Long> ids = new ArrayList<>();
    int head = Math.min(20, promptTokens);
    for (int i = 0; i < head; i++) {
      ids.add((long) r.nextInt((int) textIds));
    }
    Tensor pixels = null;
    long[][] grid = null;
    if (image > 0) {
      int side = image / cfg.vision().patchSize();
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
      ids.add((long) r.nextInt((int) textIds));
    }
    long[] arr = ids.stream().mapToLong(Long::longValue).toArray();
    long[] mask = new long[arr.length];
    java.util.Arrays.fill(mask, 1);
    return new QwenPrompt(Tensors.longs(arr, 1, arr.length), Tensors.longs(mask, 1, arr.length), pixels, grid, "");
  }
}
