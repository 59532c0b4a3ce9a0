package dev.virft.sft;

import dev.virft.train.TrainingArguments;

/**
 * Settings of a supervised fine-tuning run (the paper's SFT baseline, trained with LLaMA-Factory in
 * the original): the same optimizer, schedule, clipping, checkpointing and logging as GRPO.
 */
public final class SftOptions extends TrainingArguments {
  public SftOptions() {
    super(1e-5);
  }

  public int examplesPerStep() {
    return rowsPerStep();
  }

  public long totalSteps(int datasetSize) {
    if (maxSteps > 0) {
      return maxSteps;
    }
    return (long) Math.ceil(numTrainEpochs * Math.max(1, datasetSize / examplesPerStep()));
  }
}
