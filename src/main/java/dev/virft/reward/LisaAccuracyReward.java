package dev.virft.reward;

import dev.virft.py.PyText;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code accuracy_lisa} (grpo_lisa.py {@code accuracy_reward}, selected as {@code accuracy} under the
 * grounding preset): GIoU + 1 of the predicted and ground-truth box, or 2.0 when the stripped answer
 * equals the stripped ground truth exactly. The answer is searched with DOTALL (unlike the other
 * tasks); boxes come from {@link LisaBoxParser} with its corner-pairing quirk. The math_verify
 * pre-check is omitted.
 *
 * <p>Faithful range: GIoU+1 lies in [0, 2] for proper boxes, but the original accepts inverted corners
 * ((x2,y2) above-left of (x1,y1)), which can push it far above 2 or below 0, and 300-digit coordinates
 * can make it NaN; both are reproduced, so the faithful bounds are (−∞, +∞).
 *
 * <p>Guarded ({@code accuracy_lisa@guarded}): an answer with several boxes is wrong (as several classes
 * are), an inverted predicted box is wrong, and the result is clamped to [0, 2] (NaN → 0).
 */
public final class LisaAccuracyReward implements Reward {
  public static final String NAME = "accuracy_lisa";
  private final boolean guarded;

  public LisaAccuracyReward() {
    this(false);
  }

  LisaAccuracyReward(boolean guarded) {
    this.guarded = guarded;
  }

  @Override
  public String name() {
    return guarded ? NAME + RewardRegistry.GUARDED_SUFFIX : NAME;
  }

  @Override
  public double score(String completion, String solution, Map<String, ?> columns) {
    String groundTruth = PyText.answerOrWhole(solution, false);
    String answer = PyText.answerOrWhole(completion, true);
    double reward;
    try {
      List<LisaBoxParser.RawBox> predicted = LisaBoxParser.findAll(answer);
      double[] st = LisaBoxParser.rewardCorners(predicted);
      double[] gt = LisaBoxParser.rewardCorners(LisaBoxParser.findAll(groundTruth));
      if (guarded && (predicted.size() > 1 || st[2] < st[0] || st[3] < st[1])) {
        reward = 0.0;
      } else {
        reward = giouPlusOne(gt, st);
      }
    } catch (RuntimeException | StackOverflowError e) {
      reward = 0.0; // the original's `except Exception` (PyError models the Python ones)
    }
    if (answer.equals(groundTruth)) {
      reward = 2.0;
    }
    if (guarded) {
      reward = Double.isNaN(reward) ? 0.0 : Math.max(0.0, Math.min(2.0, reward));
    }
    return reward;
  }

  /** The original {@code compute_giou} (boxes as x1, y1, x2, y2), returning GIoU + 1. */
  public static double giouPlusOne(double[] gt, double[] st) {
    double x1i = pyMax(gt[0], st[0]);
    double y1i = pyMax(gt[1], st[1]);
    double x2i = pyMin(gt[2], st[2]);
    double y2i = pyMin(gt[3], st[3]);
    double interW = pyMax(0.0, x2i - x1i);
    double interH = pyMax(0.0, y2i - y1i);
    double inter = interW * interH;
    double gtArea = (gt[2] - gt[0]) * (gt[3] - gt[1]);
    double stArea = (st[2] - st[0]) * (st[3] - st[1]);
    double union = gtArea + stArea - inter;
    double iou = union > 0 ? inter / union : 0.0;
    double cArea =
        (pyMax(gt[2], st[2]) - pyMin(gt[0], st[0])) * (pyMax(gt[3], st[3]) - pyMin(gt[1], st[1]));
    double giou = cArea > 0 ? iou - (cArea - union) / cArea : iou;
    return giou + 1;
  }

  /** Python's max(a, b): a unless b > a (so NaN never wins, unlike Math.max). */
  private static double pyMax(double a, double b) {
    return b > a ? b : a;
  }

  private static double pyMin(double a, double b) {
    return b < a ? b : a;
  }

  @Override
  public double minScore() {
    return guarded ? 0.0 : Double.NEGATIVE_INFINITY;
  }

  @Override
  public double maxScore() {
    return guarded ? 2.0 : Double.POSITIVE_INFINITY;
  }

  @Override
  public Optional<Reward> guarded() {
    return Optional.of(guarded ? this : new LisaAccuracyReward(true));
  }

  @Override
  public String description() {
    return "grounding: GIoU+1 of the (x1,y1),(x2,y2) box, 2.0 on exact string match";
  }
}
