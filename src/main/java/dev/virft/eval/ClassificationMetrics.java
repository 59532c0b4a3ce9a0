package dev.virft.eval;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Visual-RFT's classification scoring (classification/Qwen2_VL_classification_infere.py) and a
 * strict variant beside it.
 */
public final class ClassificationMetrics {
  /**
   * {@code re.search(r"<answer>(.*?)</answer>", response)} without DOTALL: UNIX_LINES makes '.'
   * stop only at '\n', as Python's does (Java's default '.' also stops at '\r', U+0085, U+2028...).
   */
  private static final Pattern ANSWER = Pattern.compile("<answer>(.*?)</answer>", Pattern.UNIX_LINES);

  private ClassificationMetrics() {}

  /** The answer between the first answer tags, or null when there is none (scored wrong). */
  public static String answer(String response) {
    Matcher m = ANSWER.matcher(response);
    return m.find() ? m.group(1) : null;
  }

  /** {@code s.replace(' ', '').replace('_', '').lower()}. */
  public static String normalize(String s) {
    return s.replace(" ", "").replace("_", "").toLowerCase(Locale.ROOT);
  }

  /**
   * The original rule: after normalizing both, correct iff either is a substring of the other. An
   * empty answer ({@code <answer></answer>}) is therefore correct, as in the original.
   */
  public static boolean lenientCorrect(String response, String className) {
    String a = answer(response);
    if (a == null) {
      return false;
    }
    String ans = normalize(a);
    String gt = normalize(className);
    return gt.contains(ans) || ans.contains(gt);
  }

  /** Strict: the normalized answer (surrounding whitespace stripped) equals the normalized class. */
  public static boolean strictCorrect(String response, String className) {
    String a = answer(response);
    return a != null && normalize(a.strip()).equals(normalize(className));
  }
}
