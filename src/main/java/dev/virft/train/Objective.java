package dev.virft.train;

import java.util.Map;

/**
 * What one kind of training adds to the shared {@link TrainingLoop}: how a round's batch is made
 * ({@code R}: GRPO's immutable rollout record, SFT's chosen examples) and the loss whose gradients the
 * loop reduces, clips and applies. TRL's split of {@code GRPOTrainer} into
 * {@code _generate_and_score_completions} and {@code compute_loss}.
 *
 * <p>Under data parallelism every method runs on every rank; an objective computes only its rank's
 * share and returns values of the <em>global</em> batch (it reduces them with its {@link Distributed}).
 */
public interface Objective<R> {
  /** {@code trainer} field of trainer_state.json ("grpo", "sft"). */
  String name();

  /** Optimizer steps of a run over {@code datasetSize} examples. */
  long totalSteps(int datasetSize);

  /** Optimizer steps taken on one batch (GRPO's num_iterations; 1 otherwise). */
  default int iterationsPerBatch() {
    return 1;
  }

  /** Makes the batch of round {@code round}, drawing its examples from the cursor. */
  R prepare(StepData data, long round);

  /**
   * Runs forward and backward on this rank's share of the batch, accumulating gradients (already
   * weighted so that their sum over ranks is the gradient of the global batch's loss), and returns the
   * global loss with diagnostics.
   */
  StepLoss backward(R batch, int iteration, long globalStep);

  /** The metrics row of one optimizer step (before the loop adds step and epoch). */
  Map<String, Object> row(R batch, StepLoss loss, StepOutcome outcome);

  /** The value the progress bar shows, and its name. */
  default String progressLabel() {
    return "loss";
  }

  default double progressValue(R batch, StepLoss loss) {
    return loss.loss();
  }

  /** Loss of one step (summed over ranks) and the objective's own diagnostics. */
  record StepLoss(double loss, Map<String, Double> extra) {}

  /** What the loop did with the step's gradients. */
  record StepOutcome(double gradNorm, double learningRate, boolean applied, double optimizerSeconds,
      double backwardSeconds, double stepSeconds) {}
}
