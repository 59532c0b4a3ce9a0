package dev.virft.reward;

import dev.virft.util.VirftException;
import java.util.List;
import java.util.Locale;

/** The original's three tasks and the reward sets their training scripts use (the presets). */
public enum Task {
  /** grpo.py: accuracy_iou + accuracy_confidence + format (max 3). */
  DETECTION(List.of(DetectionIouReward.NAME, DetectionConfidenceReward.NAME, FormatReward.NAME), null),
  /** grpo_classification.py: accuracy + format (max 2). */
  CLASSIFICATION(
      List.of(ClassificationAccuracyReward.NAME, FormatReward.NAME), ClassificationAccuracyReward.NAME),
  /** grpo_lisa.py: accuracy (GIoU+1, 2.0 on exact match) + format (max 3). */
  GROUNDING(List.of(LisaAccuracyReward.NAME, FormatReward.NAME), LisaAccuracyReward.NAME);

  private final List<String> preset;
  private final String accuracy;

  Task(List<String> preset, String accuracy) {
    this.preset = preset;
    this.accuracy = accuracy;
  }

  /** The reward names of this task's original training script. */
  public List<String> preset() {
    return preset;
  }

  /** What the ambiguous original name {@code accuracy} means in this task, or null (detection). */
  public String accuracyReward() {
    return accuracy;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Task parse(String s) {
    for (Task t : values()) {
      if (t.id().equals(s.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new VirftException(
        "--task: unknown task '" + s + "', expected one of detection, classification, grounding");
  }

  /** The task whose preset is named {@code s}, or null. */
  static Task presetNamed(String s) {
    for (Task t : values()) {
      if (t.id().equals(s)) {
        return t;
      }
    }
    return null;
  }
}
