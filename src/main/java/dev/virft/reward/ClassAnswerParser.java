package dev.virft.reward;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Class-name answers of the classification task (grpo_classification.py and the classification
 * evaluation script): extraction from {@code <answer>…</answer>}, the original normalisation
 * (remove spaces and underscores, lower-case) and its bidirectional-substring match. One implementation
 * shared by the reward and evaluation.
 */
public final class ClassAnswerParser {
  private ClassAnswerParser() {}

  /** The reward's extraction: non-DOTALL group(1).strip(), or the whole text stripped. */
  public static String answerOrWhole(String text, boolean dotAll) {
    return PyText.answerOrWhole(text, dotAll);
  }

  /** The evaluation's extraction: group(1) of the non-DOTALL search, or null (counted as wrong). */
  public static String answerOrNull(String response) {
    return PyText.searchAnswer(response, false);
  }

  /** {@code s.replace(' ', '').replace('_', '').lower()}. */
  public static String normalize(String s) {
    // Locale.ROOT: Python's lower() ignores the locale (no Turkish dotless i).
    return s.replace(" ", "").replace("_", "").toLowerCase(Locale.ROOT);
  }

  /** The original rule: correct iff either normalised string contains the other (so "" always matches). */
  public static boolean substringMatch(String groundTruth, String answer) {
    String gt = normalize(groundTruth);
    String st = normalize(answer);
    return gt.contains(st) || st.contains(gt);
  }

  /** Exact match after the same normalisation: the strict accuracy reported beside the original's. */
  public static boolean exactMatch(String groundTruth, String answer) {
    return normalize(groundTruth).equals(normalize(answer));
  }

  private static final Pattern SEPARATOR =
      Pattern.compile("(?i)\\s+or\\s+|\\s+and\\s+|[,;|\\n]|\\s+vs\\.?\\s+");

  /**
   * Whether an answer names several classes ("A or B or C", "A, B", "A; B", "A | B", one per line):
   * it holds a separator that the ground-truth name itself does not contain (so "F/A-18" or a name
   * with "and" in it is not split). Used by the guarded classification reward only.
   */
  public static boolean namesSeveralClasses(String answer, String groundTruth) {
    String gt = " " + groundTruth.toLowerCase(Locale.ROOT) + " ";
    java.util.regex.Matcher m = SEPARATOR.matcher(answer);
    while (m.find()) {
      String sep = m.group().strip().toLowerCase(Locale.ROOT); // "or", "and", "vs", ",", ";", "|" or ""
      boolean inGroundTruth;
      if (sep.isEmpty()) {
        inGroundTruth = gt.contains("\n");
      } else if (Character.isLetter(sep.charAt(0))) {
        inGroundTruth = gt.contains(" " + sep + " ");
      } else {
        inGroundTruth = gt.contains(sep);
      }
      boolean between =
          !answer.substring(0, m.start()).isBlank() && !answer.substring(m.end()).isBlank();
      if (!inGroundTruth && between) {
        return true;
      }
    }
    return false;
  }
}
