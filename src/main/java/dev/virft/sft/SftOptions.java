package dev.virft.sft;

import java.nio.file.Path;

/**
 * Settings of a supervised fine-tuning run (the paper's SFT baseline, trained with LLaMA-Factory in
 * the original): the same optimizer, schedule, clipping, checkpointing and logging as GRPO.
 */
public final class SftOptions {
  public Path outputDir;
  public Path baseModelDir;
  public int perDeviceTrainBatchSize = 1;
  public int gradientAccumulationSteps = 2;
  public double learningRate = 1e-5;
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

  public int examplesPerStep() {
    return perDeviceTrainBatchSize * gradientAccumulationSteps;
  }

  public long totalSteps(int datasetSize) {
    if (maxSteps > 0) {
      return maxSteps;
    }
    return (long) Math.ceil(numTrainEpochs * Math.max(1, datasetSize / examplesPerStep()));
  }
}
