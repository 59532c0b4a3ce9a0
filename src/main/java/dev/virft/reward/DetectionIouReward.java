package dev.virft.reward;

import java.util.Map;
import java.util.Optional;

/**
 * {@code accuracy_iou} (grpo.py {@code accuracy_reward_iou}): Σ IoU of greedily matched boxes (IoU
 * strictly above 0.5, by descending confidence) divided by max(#gt, #pred), clipped to ≤ 1. The
 * original's math_verify pre-check is omitted (see README, "Rewards").
 *
 * <p>Guarded ({@code accuracy_iou@guarded}): the answer may span several lines and each confidence is
 * clamped to [0, 1] (NaN → 0) before sorting; nothing else changes.
 */
public final class DetectionIouReward implements Reward {
  public static final String NAME = "accuracy_iou";
  private final boolean guarded;

  public DetectionIouReward() {
    this(false);
  }

  DetectionIouReward(boolean guarded) {
    this.guarded = guarded;
  }

  @Override
  public String name() {
    return guarded ? NAME + RewardRegistry.GUARDED_SUFFIX : NAME;
  }

  @Override
  public double score(String completion, String solution, Map<String, ?> columns) {
    return DetectionScorer.cachedScore(completion, solution, guarded).iou();
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
    return Optional.of(guarded ? this : new DetectionIouReward(true));
  }

  @Override
  public String description() {
    return "detection: sum of matched IoUs (> 0.5) / max(#gt, #pred)";
  }
}
