package dev.virft.reward;

import dev.virft.py.PyText;
import java.util.Locale;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

  private static final String SEPARATOR_CHARS = ",;|\n";
  private static final Set<String> SEPARATOR_WORDS = Set.of("or", "and", "vs", "vs.");

  /**
   * Whether an answer names several classes ("A or B or C", "A, B", "A; B", "A | B", one per line):
   * it holds, between two non-blank parts, a separator that the ground-truth name itself does not
   * contain (so "F/A-18" or "salt and pepper" is not a list). Used by the guarded classification reward
   * only. A hand-written linear scan: a regex like {@code \s+or\s+} rescans long whitespace runs.
   */
  public static boolean namesSeveralClasses(String answer, String groundTruth) {
    String gt = groundTruth.toLowerCase(Locale.ROOT);
    int first = 0;
    while (first < answer.length() && PyText.isSpace(answer.charAt(first))) {
      first++;
    }
    int last = answer.length() - 1;
    while (last >= 0 && PyText.isSpace(answer.charAt(last))) {
      last--;
    }
    for (int i = first + 1; i < last; i++) {
      char c = answer.charAt(i);
      if (SEPARATOR_CHARS.indexOf(c) >= 0 && gt.indexOf(c) < 0) {
        return true;
      }
    }
    List<String> words = words(answer.toLowerCase(Locale.ROOT));
    Set<String> gtWords = new HashSet<>(words(gt));
    for (int i = 1; i < words.size() - 1; i++) {
      String w = words.get(i);
      if (SEPARATOR_WORDS.contains(w) && !gtWords.contains(w)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && PyText.isSpace(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < s.length() && !PyText.isSpace(s.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(s.substring(start, i));
      }
    }
    return out;
  }
}
