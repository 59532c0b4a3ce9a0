package dev.virft.rl;

/**
 * Group-relative advantages of GRPO. Rewards arrive as consecutive groups of {@code groupSize}
 * completions of the same prompt (the order the trainer generates them in).
 *
 * <p>{@code grpo}/{@code dapo}: {@code A = (r - mean_G) / (std_G + 1e-4)} with the unbiased (N-1)
 * standard deviation, as torch's default {@code std()} in the original trainer (spec §4.2 step 8).
 * {@code dr_grpo}: {@code A = r - mean_G} (no std scaling; Dr. GRPO).
 *
 * <p>Groups of one: torch's unbiased std of a single value is NaN, so the original would produce NaN
 * advantages and a NaN loss; TRL refuses {@code num_generations < 2} for this reason, and so does the
 * CLI. Here a group of one gets advantage 0 (no baseline exists, so there is no signal) instead of NaN.
 *
 * <p>Plain Java: a handful of numbers per step, no tensors needed.
 */
public final class GroupAdvantages {
  /** The constant the original adds to the std before dividing. */
  public static final double STD_EPS = 1e-4;

  private GroupAdvantages() {}

  public static double[] compute(double[] rewards, int groupSize, boolean scaleByStd) {
    checkShape(rewards, groupSize);
    double[] adv = new double[rewards.length];
    for (int g = 0; g < rewards.length / groupSize; g++) {
      int from = g * groupSize;
      double mean = mean(rewards, from, groupSize);
      double std = groupSize > 1 ? unbiasedStd(rewards, from, groupSize, mean) : 0.0;
      for (int i = from; i < from + groupSize; i++) {
        if (groupSize == 1) {
          adv[i] = 0.0;
        } else {
          double centred = rewards[i] - mean;
          adv[i] = scaleByStd ? centred / (std + STD_EPS) : centred;
        }
      }
    }
    return adv;
  }

  /** Unbiased std of each group (0 for a group of one); the {@code reward_std} metric averages these. */
  public static double[] groupStd(double[] rewards, int groupSize) {
    checkShape(rewards, groupSize);
    double[] out = new double[rewards.length / groupSize];
    for (int g = 0; g < out.length; g++) {
      int from = g * groupSize;
      out[g] = groupSize > 1 ? unbiasedStd(rewards, from, groupSize, mean(rewards, from, groupSize)) : 0.0;
    }
    return out;
  }

  /** Number of groups whose rewards are all equal (zero advantage, hence no learning signal). */
  public static int zeroSpreadGroups(double[] rewards, int groupSize) {
    checkShape(rewards, groupSize);
    int n = 0;
    for (int g = 0; g < rewards.length / groupSize; g++) {
      boolean same = true;
      for (int i = g * groupSize + 1; i < (g + 1) * groupSize; i++) {
        same &= rewards[i] == rewards[g * groupSize];
      }
      n += same ? 1 : 0;
    }
    return n;
  }

  private static double mean(double[] r, int from, int n) {
    double s = 0;
    for (int i = from; i < from + n; i++) {
      s += r[i];
    }
    return s / n;
  }

  private static double unbiasedStd(double[] r, int from, int n, double mean) {
    double ss = 0;
    for (int i = from; i < from + n; i++) {
      ss += (r[i] - mean) * (r[i] - mean);
    }
    return Math.sqrt(ss / (n - 1));
  }

  private static void checkShape(double[] rewards, int groupSize) {
    if (groupSize < 1 || rewards.length % groupSize != 0) {
      throw new IllegalArgumentException(
          rewards.length + " rewards do not split into groups of " + groupSize);
    }
  }
}
