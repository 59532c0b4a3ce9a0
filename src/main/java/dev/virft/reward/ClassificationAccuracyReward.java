package dev.virft.reward;

import java.util.Map;
import java.util.Optional;

/**
 * {@code accuracy_cls} (grpo_classification.py {@code accuracy_reward}, selected as {@code accuracy}
 * under the classification preset): 1.0 iff the normalised answer and ground truth contain one another.
 * The original's math_verify pre-check is omitted.
 *
 * <p>Guarded ({@code accuracy_cls@guarded}) closes three exploits and changes nothing else: an empty
 * answer is wrong (the empty string is a substring of every name), an answer naming several classes
 * ("A or B or C", "A, B") is wrong, and an answer spanning several lines is found (DOTALL).
 */
public final class ClassificationAccuracyReward implements Reward {
  public static final String NAME = "accuracy_cls";
  private final boolean guarded;

  public ClassificationAccuracyReward() {
    this(false);
  }

  ClassificationAccuracyReward(boolean guarded) {
    this.guarded = guarded;
  }

  @Override
  public String name() {
    return guarded ? NAME + RewardRegistry.GUARDED_SUFFIX : NAME;
  }

  @Override
  public double score(String completion, String solution, Map<String, ?> columns) {
    String groundTruth = ClassAnswerParser.answerOrWhole(solution, false);
    String answer = ClassAnswerParser.answerOrWhole(completion, guarded);
    if (guarded
        && (ClassAnswerParser.normalize(answer).isEmpty()
            || ClassAnswerParser.namesSeveralClasses(answer, groundTruth))) {
      return 0.0;
    }
    return ClassAnswerParser.substringMatch(groundTruth, answer) ? 1.0 : 0.0;
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
    return Optional.of(guarded ? this : new ClassificationAccuracyReward(true));
  }

  @Override
  public String description() {
    return "classification: 1 if answer and class name contain one another (spaces/_ removed, lower)";
  }
}
