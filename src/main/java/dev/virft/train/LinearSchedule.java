package dev.virft.train;

/**
 * HF's {@code get_linear_schedule_with_warmup}: the learning rate rises linearly from 0 over
 * {@code warmupSteps}, then decays linearly to 0 at {@code totalSteps}. {@link #lr(long)} is the rate
 * used by the optimizer step that follows {@code completedSteps} earlier steps.
 */
public record LinearSchedule(double baseLr, long warmupSteps, long totalSteps) {
  public double lr(long completedSteps) {
    if (completedSteps < warmupSteps) {
      return baseLr * completedSteps / Math.max(1, warmupSteps);
    }
    return baseLr
        * Math.max(0.0, (double) (totalSteps - completedSteps) / Math.max(1, totalSteps - warmupSteps));
  }

  /** HF's rule: explicit warm-up steps win, else {@code ceil(total * ratio)}. */
  public static long warmupSteps(long totalSteps, long warmupSteps, double warmupRatio) {
    return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(totalSteps * warmupRatio);
  }
}
