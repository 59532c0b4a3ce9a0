package dev.virft.rl;

import dev.virft.train.AdamW;
import dev.virft.train.TrainingArguments;

/**
 * Settings of a GRPO run. Defaults are the original's effective ones (spec §4.1): TRL GRPOConfig
 * (lr 1e-6, beta 0.04, 256 new tokens, G 8), HF Trainer (AdamW 0.9/0.999/1e-8, weight decay 0, no
 * warm-up, linear decay, max_grad_norm 1.0, seed 42), the launch scripts (batch 1 per device,
 * accumulation 2, max_prompt_length 1024, logging every step, save every 100 steps), and sampling at
 * temperature 1.0 with top-k 50 (the HF-generate path ignores GRPOConfig.temperature, §4.2).
 */
public final class GrpoOptions extends TrainingArguments {
  public GrpoOptions() {
    super(1e-6);
  }

  public int numGenerations = 8;
  public int maxPromptLength = 1024;
  public int maxCompletionLength = 256;
  public double beta = 0.04;
  public double temperature = 1.0;
  public int topK = 50;
  public double topP = 1.0;
  public LossType loss = LossType.GRPO;
  public double epsilon = 0.2;
  /** Upper clip bound; NaN means "same as epsilon". */
  public double epsilonHigh = Double.NaN;
  public int numIterations = 1;
  public boolean logCompletions;

  public double epsilonHighOrDefault() {
    return Double.isNaN(epsilonHigh) ? epsilon : epsilonHigh;
  }

  public Sampling sampling() {
    return new Sampling(temperature, topK, topP, maxCompletionLength, stopTokenIds, padTokenId);
  }

  public int promptsPerStep() {
    return rowsPerStep();
  }

  /** Optimizer steps of the run: --max_steps, else epochs x full batches per epoch x num_iterations. */
  public long totalSteps(int datasetSize) {
    if (maxSteps > 0) {
      return maxSteps;
    }
    long roundsPerEpoch = Math.max(1, datasetSize / promptsPerStep());
    return (long) Math.ceil(numTrainEpochs * roundsPerEpoch) * numIterations;
  }

  /** Rejects settings that cannot work, naming the option. */
  public void validate() {
    require(numGenerations >= 2, "--num_generations", "at least 2 (group advantages need 2 samples)", numGenerations);
    require(maxCompletionLength >= 1, "--max_completion_length", "at least 1", maxCompletionLength);
    require(perDeviceTrainBatchSize >= 1, "--per_device_train_batch_size", "at least 1", perDeviceTrainBatchSize);
    require(gradientAccumulationSteps >= 1, "--gradient_accumulation_steps", "at least 1", gradientAccumulationSteps);
    require(learningRate >= 0, "--learning_rate", "non-negative", learningRate);
    require(beta >= 0, "--beta", "non-negative", beta);
    require(numIterations >= 1, "--num_iterations", "at least 1", numIterations);
    require(temperature > 0, "--temperature", "positive", temperature);
    require(saveSteps >= 1, "--save_steps", "at least 1", saveSteps);
    require(loggingSteps >= 1, "--logging_steps", "at least 1", loggingSteps);
    require(epsilon >= 0 && epsilon < 1, "--epsilon", "in [0, 1)", epsilon);
    require(warmupRatio >= 0 && warmupRatio <= 1, "--warmup_ratio", "in [0, 1]", warmupRatio);
    require(maxSteps > 0 || numTrainEpochs > 0, "--num_train_epochs", "positive (or set --max_steps)", numTrainEpochs);
  }

  static void require(boolean ok, String option, String expected, Object got) {
    if (!ok) {
      throw new dev.virft.util.VirftException(option + ": expected " + expected + ", got " + got);
    }
  }
}
