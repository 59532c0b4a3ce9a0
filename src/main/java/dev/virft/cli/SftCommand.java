package dev.virft.cli;

import dev.virft.data.Sample;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.QwenTokenizer;
import dev.virft.processor.StopTokens;
import dev.virft.rl.QwenPolicy;
import dev.virft.rl.QwenPrompt;
import dev.virft.rl.QwenPromptEncoder;
import dev.virft.train.TrainerState;
import dev.virft.sft.SftOptions;
import dev.virft.sft.SftTask;
import dev.virft.sft.SftTrainer;
import dev.virft.tensor.Device;
import dev.virft.train.DeepSpeedConfig;
import dev.virft.train.Distributed;
import dev.virft.train.TrainCheckpoint;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code virft sft}: the paper's SFT baseline on the same datasets: the same chat prompt as GRPO,
 * and as target the row's {@code solution} followed by {@code <|im_end|>} (the end of the assistant
 * turn in Qwen's chat format); cross-entropy on those tokens only.
 */
@Command(
    name = "sft",
    mixinStandardHelpOptions = true,
    description = {
      "Supervised fine-tuning baseline: cross-entropy on the answer tokens (the 'solution' column).",
      "Same outputs and --resume_from_checkpoint as 'virft train'."
    })
public final class SftCommand implements Callable<Integer> {
  @Mixin TrainingArgs args = new TrainingArgs();

  @Mixin LaunchArgs launch = new LaunchArgs();

  @Spec CommandSpec spec;

  @Option(names = {"--answer_column", "--answer-column"}, defaultValue = "solution",
      description = "Column with the target text (default: solution).")
  String answerColumn;

  @Override
  public Integer call() {
    OptionChecks.training(args);
    if (launch.launches()) {
      return launch.launch(spec, System.err);
    }
    args.warnIgnored(System.err);
    Device device = Device.parse(args.device);
    args.validateLora();
    Path base = args.filesDir();
    Path resume =
        args.resumeFromCheckpoint == null ? null : TrainCheckpoint.resolve(args.resumeFromCheckpoint, args.outputDir, "sft", System.err);
    List<Sample> samples = args.loadSamples();
    Distributed dist = launch.joinGroup(device);
    DeepSpeedConfig ds = args.deepSpeed(dist, System.err);
    SftOptions o = new SftOptions();
    o.outputDir = args.outputDir;
    o.baseModelDir = base;
    o.perDeviceTrainBatchSize = args.perDeviceTrainBatchSize;
    o.gradientAccumulationSteps = args.gradientAccumulationSteps;
    o.learningRate = args.learningRate;
    o.numTrainEpochs = args.numTrainEpochs;
    o.maxSteps = args.maxSteps;
    o.saveSteps = args.saveSteps;
    o.saveOnlyModel = args.saveOnlyModel;
    o.loggingSteps = args.loggingSteps;
    o.seed = args.seed;
    o.warmupRatio = args.warmupRatio;
    o.warmupSteps = args.warmupSteps;
    o.weightDecay = args.weightDecay;
    o.maxGradNorm = args.maxGradNorm;
    o.progressBar = !args.noProgress;
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base)) {
      o.stopTokenIds = StopTokens.of(tok);
      o.padTokenId = tok.padId();
      QwenPromptEncoder encoder =
          new QwenPromptEncoder(
              tok, ChatTemplate.fromCheckpoint(base),
              ImageProcessor.fromCheckpoint(base).withPixels(args.minPixels, args.maxPixels), args.maxPromptLength);
      SftTask<Sample, QwenPrompt> task =
          new SftTask<>() {
            @Override
            public QwenPrompt encode(Sample s) {
              return encoder.encode(s);
            }

            @Override
            public long[] answerIds(Sample s) {
              return tok.encode(answerOf(s) + QwenTokenizer.IM_END);
            }
          };
      try (QwenVLModel model = args.loadModel(resume, device, System.err)) {
        SftTrainer<Sample, QwenPrompt> trainer = new SftTrainer<>(o, samples, task, new QwenPolicy(model), System.err)
            .distributed(dist, ds.zero(), ds.bucketElements());
        if (dist.isMain()) {
          System.err.printf("virft sft: %d examples, %d steps, device %s%s%n", samples.size(),
              trainer.totalSteps(samples.size()), device,
              dist.isDistributed() ? ", " + dist.worldSize() + " processes, ZeRO stage " + ds.zero().stage : "");
        }
        TrainerState st = trainer.train(resume);
        if (dist.isMain()) {
          System.out.println("done: " + st.globalStep + " steps; last checkpoint "
              + args.outputDir.resolve("checkpoint-" + st.globalStep));
          args.writeMergedIfAsked(model, System.out);
        }
      }
    }
    return 0;
  }

  private String answerOf(Sample s) {
    if (answerColumn.equals("solution")) {
      return s.solution();
    }
    Object v = s.columns().get(answerColumn);
    if (!(v instanceof String str)) {
      throw new VirftException(
          s.source() + ": column '" + answerColumn + "' (--answer_column): expected a string, got "
              + (v == null ? "nothing" : v.getClass().getSimpleName()));
    }
    return str;
  }
}
