package dev.virft.cli;

import dev.virft.data.Sample;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.QwenTokenizer;
import dev.virft.processor.StopTokens;
import dev.virft.reward.RewardRegistry;
import dev.virft.reward.RewardSelection;
import dev.virft.reward.Task;
import dev.virft.rl.GrpoOptions;
import dev.virft.rl.GrpoTrainer;
import dev.virft.rl.LossType;
import dev.virft.rl.QwenPolicy;
import dev.virft.rl.QwenPrompt;
import dev.virft.rl.QwenPromptEncoder;
import dev.virft.rl.QwenTask;
import dev.virft.train.TrainerState;
import dev.virft.tensor.Device;
import dev.virft.train.DeepSpeedConfig;
import dev.virft.train.Distributed;
import dev.virft.train.TrainCheckpoint;
import dev.virft.util.VirftException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code virft train}: GRPO fine-tuning as Visual-RFT does it (spec §4). */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "GRPO fine-tuning of Qwen2-VL / Qwen2.5-VL with verifiable rewards (Visual-RFT).",
      "Writes checkpoint-N/ (hub layout + trainer state), metrics.jsonl, report.html and, with",
      "--log_completions, completions.jsonl into --output_dir."
    })
public final class TrainCommand implements Callable<Integer> {
  @Mixin TrainingArgs args = new TrainingArgs();

  @Mixin LaunchArgs launch = new LaunchArgs();

  @Spec CommandSpec spec;

  @Option(names = {"--num_generations", "--num-generations"}, defaultValue = "8", description = "G: samples per prompt.")
  int numGenerations;

  @Option(names = {"--max_completion_length", "--max-completion-length"}, defaultValue = "256")
  int maxCompletionLength;

  @Option(names = "--beta", defaultValue = "0.04", description = "KL weight; 0 builds no reference model.")
  double beta;

  @Option(names = "--temperature", defaultValue = "1.0",
      description = "Sampling temperature. The original samples at 1.0 whatever GRPOConfig says (spec §4.2).")
  double temperature;

  @Option(names = {"--top_k", "--top-k"}, defaultValue = "50", description = "transformers' default, as in the original.")
  int topK;

  @Option(names = {"--top_p", "--top-p"}, defaultValue = "1.0")
  double topP;

  @Option(names = {"--reward_funcs", "--reward-funcs"}, split = ",",
      description = "Rewards (names, NAME:WEIGHT, or a preset: detection, classification, grounding). "
          + "Default: the --task preset.")
  List<String> rewardFuncs;

  @Option(names = "--task", description = "detection, classification or grounding (picks the preset and 'accuracy').")
  String task;

  @Option(names = "--loss", defaultValue = "grpo", description = "grpo (original), dapo or dr_grpo.")
  String loss;

  @Option(names = "--epsilon", defaultValue = "0.2", description = "Lower clip range (used when --num_iterations > 1).")
  double epsilon;

  @Option(names = {"--epsilon_high", "--epsilon-high"}, description = "Upper clip range (default: --epsilon).")
  Double epsilonHigh;

  @Option(names = {"--num_iterations", "--num-iterations"}, defaultValue = "1",
      description = "Optimizer steps per generation batch (1 = the original's single on-policy step).")
  int numIterations;

  @Option(names = {"--log_completions", "--log-completions"}, arity = "0..1", defaultValue = "false")
  boolean logCompletions;

  @Override
  public Integer call() {
    PrintStream err = System.err;
    OptionChecks.training(args);
    if (launch.launches()) {
      return launch.launch(spec, err);
    }
    args.warnIgnored(err);
    Device device = Device.parse(args.device);
    if (args.bf16 && device == Device.CPU) {
      err.println("note: --bf16 has no effect on the CPU (float32); on CUDA compute is bf16 with float32 masters");
    }
    Task t = task == null ? null : Task.parse(task);
    String spec = rewardFuncs == null ? null : String.join(",", rewardFuncs);
    if (spec == null) {
      if (t == null) {
        throw new VirftException("--reward_funcs: required unless --task is given (e.g. --task detection)");
      }
      spec = t.id();
    }
    RewardSelection rewards = RewardSelection.parse(spec, t, RewardRegistry.standard());
    GrpoOptions o = options();
    o.validate();
    args.validateLora();
    Path base = args.filesDir();
    o.baseModelDir = base;
    Path resume =
        args.resumeFromCheckpoint == null ? null : TrainCheckpoint.resolve(args.resumeFromCheckpoint, args.outputDir, "grpo", System.err);
    List<Sample> samples = args.loadSamples();
    Distributed dist = launch.joinGroup(device);
    DeepSpeedConfig ds = args.deepSpeed(dist, err);
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base)) {
      o.stopTokenIds = StopTokens.of(tok);
      o.padTokenId = tok.padId();
      QwenPromptEncoder encoder =
          new QwenPromptEncoder(
              tok,
              ChatTemplate.fromCheckpoint(base),
              ImageProcessor.fromCheckpoint(base).withPixels(args.minPixels, args.maxPixels),
              args.maxPromptLength);
      QwenVLModel policy = args.loadModel(resume, device, err);
      QwenPolicy ref = reference(policy, device);
      GrpoTrainer<Sample, QwenPrompt> trainer =
          new GrpoTrainer<>(o, samples, new QwenTask(encoder, rewards), new QwenPolicy(policy), ref, err)
              .distributed(dist, ds.zero(), ds.bucketElements());
      if (dist.isMain()) {
        err.printf(
            "virft train: %d examples, %d steps, G=%d, rewards %s, loss %s, beta %s, device %s%s%s%n",
            samples.size(), trainer.totalSteps(samples.size()), o.numGenerations, rewards.names(),
            o.loss.cliName(), o.beta, device, policy.hasLora()
                ? ", LoRA r=" + policy.loraConfig().r() + " alpha=" + policy.loraConfig().alpha() : "",
            dist.isDistributed() ? ", " + dist.worldSize() + " processes, ZeRO stage " + ds.zero().stage : "");
      }
      TrainerState st = trainer.train(resume);
      if (dist.isMain()) {
        System.out.println(
            "done: " + st.globalStep + " steps (" + st.skippedSteps + " skipped); last checkpoint "
                + args.outputDir.resolve("checkpoint-" + st.globalStep));
        args.writeMergedIfAsked(policy, System.out);
      }
      policy.close();
      if (ref != null && ref.model() != policy) {
        ref.model().close();
      }
    }
    return 0;
  }

  /**
   * GRPO's reference model, or null when beta is 0. Under LoRA it is the policy itself with adapters
   * off (no second model); otherwise a frozen copy of the model the run started from.
   */
  QwenPolicy reference(QwenVLModel policy, Device device) {
    if (beta == 0) {
      return null;
    }
    if (policy.hasLora()) {
      return QwenPolicy.withAdaptersDisabled(policy);
    }
    QwenVLModel reference = QwenVLModel.load(args.modelNameOrPath, device);
    reference.freezeInComputeDtype();
    return new QwenPolicy(reference);
  }

  GrpoOptions options() {
    GrpoOptions o = new GrpoOptions();
    o.outputDir = args.outputDir;
    o.baseModelDir = args.modelNameOrPath;
    o.numGenerations = numGenerations;
    o.maxPromptLength = args.maxPromptLength;
    o.maxCompletionLength = maxCompletionLength;
    o.perDeviceTrainBatchSize = args.perDeviceTrainBatchSize;
    o.gradientAccumulationSteps = args.gradientAccumulationSteps;
    o.learningRate = args.learningRate;
    o.beta = beta;
    o.numTrainEpochs = args.numTrainEpochs;
    o.maxSteps = args.maxSteps;
    o.saveSteps = args.saveSteps;
    o.saveOnlyModel = args.saveOnlyModel;
    o.loggingSteps = args.loggingSteps;
    o.temperature = temperature;
    o.topK = topK;
    o.topP = topP;
    o.seed = args.seed;
    o.loss = LossType.parse(loss);
    o.epsilon = epsilon;
    o.epsilonHigh = epsilonHigh == null ? Double.NaN : epsilonHigh;
    o.numIterations = numIterations;
    o.warmupRatio = args.warmupRatio;
    o.warmupSteps = args.warmupSteps;
    o.weightDecay = args.weightDecay;
    o.maxGradNorm = args.maxGradNorm;
    o.logCompletions = logCompletions;
    o.progressBar = !args.noProgress;
    return o;
  }
}
