package dev.virft.train;

import dev.virft.util.VirftException;
import java.nio.file.Path;

/**
 * The settings every trainer shares (HF {@code TrainingArguments}): batch and accumulation, optimizer,
 * schedule, clipping, logging, saving and seed. {@code rl.GrpoOptions} and {@code sft.SftOptions} add
 * their own; both hand these to the one {@link TrainingLoop}.
 */
public abstract class TrainingArguments {
  public Path outputDir;
  /** Directory the tokenizer/processor files are copied from into each checkpoint. */
  public Path baseModelDir;
  public int perDeviceTrainBatchSize = 1;
  public int gradientAccumulationSteps = 2;
  public double learningRate;
  public double numTrainEpochs = 1;
  public long maxSteps = -1;
  public long saveSteps = 100;
  public boolean saveOnlyModel;
  public long loggingSteps = 1;
  public long seed = 42;
  public double warmupRatio = 0.0;
  public long warmupSteps = 0;
  public double weightDecay = 0.0;
  public double maxGradNorm = 1.0;
  public boolean shuffle = true;
  public boolean progressBar = true;
  public long[] stopTokenIds = new long[0];
  public long padTokenId;

  protected TrainingArguments(double defaultLearningRate) {
    this.learningRate = defaultLearningRate;
  }

  /** Rows (prompts or examples) one optimizer step takes on one rank. */
  public int rowsPerStep() {
    return perDeviceTrainBatchSize * gradientAccumulationSteps;
  }

  /** The loop's settings from these, with the distribution choices of the run. */
  public TrainingLoop.Settings loopSettings(Zero zero, long bucketElements) {
    TrainingLoop.Settings s = new TrainingLoop.Settings();
    s.outputDir = outputDir;
    s.saveSteps = saveSteps;
    s.loggingSteps = loggingSteps;
    s.learningRate = learningRate;
    s.warmupSteps = warmupSteps;
    s.warmupRatio = warmupRatio;
    s.weightDecay = weightDecay;
    s.maxGradNorm = maxGradNorm;
    s.seed = seed;
    s.shuffle = shuffle;
    s.progressBar = progressBar;
    s.zero = zero;
    s.bucketElements = bucketElements;
    return s;
  }

  /** Refuses a dataset smaller than one optimizer step over all ranks, naming the sizes. */
  public void requireOneStep(int datasetSize, Distributed dist) {
    if (datasetSize < rowsPerStep() * dist.worldSize()) {
      throw new VirftException(
          "dataset has " + datasetSize + " examples, fewer than one optimizer step needs ("
              + perDeviceTrainBatchSize + " x " + gradientAccumulationSteps
              + (dist.isDistributed() ? " x " + dist.worldSize() + " ranks" : "") + ")");
    }
  }
}
