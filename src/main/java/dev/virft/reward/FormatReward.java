package dev.virft.reward;

import dev.virft.py.PyText;
import java.util.Map;

/**
 * {@code format}: 1.0 iff {@code re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", completion,
 * re.DOTALL)}, identical in all three original scripts. Nothing may precede {@code <think>} or follow
 * {@code </answer>}, not even whitespace; {@code \s} is Python's Unicode whitespace.
 *
 * <p>Decided by a linear scan instead of a regex: the fullmatch exists iff the text starts with
 * {@code <think>}, ends with {@code </answer>}, and some {@code <answer>} (ending before that final tag)
 * is preceded by whitespace and a {@code </think>} that starts after the opening tag.
 */
public final class FormatReward implements Reward {
  public static final String NAME = "format";
  private static final String THINK = "<think>";
  private static final String END_THINK = "</think>";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(String completion, String solution, Map<String, ?> columns) {
    return matches(completion) ? 1.0 : 0.0;
  }

  /** The original's fullmatch. */
  public static boolean matches(String s) {
    if (!s.startsWith(THINK) || !s.endsWith(PyText.CLOSE)) {
      return false;
    }
    int lastAnswerStart = s.length() - PyText.CLOSE.length() - PyText.OPEN.length();
    int j = s.indexOf(PyText.OPEN, THINK.length());
    while (j >= 0 && j <= lastAnswerStart) {
      int k = j;
      while (k > 0 && PyText.isSpace(s.charAt(k - 1))) {
        k--; // whitespace runs before distinct <answer> tags are disjoint: linear overall
      }
      int thinkEnd = k - END_THINK.length();
      if (thinkEnd >= THINK.length() && s.startsWith(END_THINK, thinkEnd)) {
        return true;
      }
      j = s.indexOf(PyText.OPEN, j + 1);
    }
    return false;
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
  public String description() {
    return "1 if the completion is exactly <think>...</think> <answer>...</answer>";
  }
}
