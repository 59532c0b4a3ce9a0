package dev.virft.reward;

import java.util.Map;
import java.util.Optional;

/**
 * {@code accuracy_confidence} (grpo.py {@code accuracy_reward_confidence}): the mean over predicted
 * boxes of c (matched) or 1 − c (unmatched), clipped to [0, 1]. The raw confidence is not validated,
 * so c > 1 on a matched box can outweigh wrong boxes, and a JSON {@code NaN} confidence makes the
 * faithful reward NaN, exactly as in Python. The original's math_verify pre-check is omitted (see
 * README, "Rewards").
 *
 * <p>Guarded ({@code accuracy_confidence@guarded}): confidences clamped to [0, 1] (NaN → 0), answers
 * may span several lines; never NaN.
 */
public final class DetectionConfidenceReward implements Reward {
  public static final String NAME = "accuracy_confidence";
  private final boolean guarded;

  public DetectionConfidenceReward() {
    this(false);
  }

  DetectionConfidenceReward(boolean guarded) {
    this.guarded = guarded;
  }

  @Override
  public String name() {
    return guarded ? NAME + RewardRegistry.GUARDED_SUFFIX : NAME;
  }

  @Override
  public double score(String completion, String solution, Map<String, ?> columns) {
    return DetectionScorer.cachedScore(completion, solution, guarded).confidence();
  }

  @Override
  public double minScore() {
    return 0.0;
  }

  @Override
  public double maxScore() {
    return 1.0;
  }

  @Override
  public Optional<Reward> guarded() {
    return Optional.of(guarded ? this : new DetectionConfidenceReward(true));
  }

  @Override
  public String description() {
    return "detection: mean of c (matched box) or 1-c (unmatched)";
  }
}
