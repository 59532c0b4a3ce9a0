package dev.virft.py;

/**
 * Python {@code str} operations the original reward code relies on, with Python's exact semantics.
 *
 * <p>Hand-written rather than {@code java.util.regex}: Java's {@code String.strip()} and {@code \s} use a
 * different whitespace set than Python's {@code str.isspace()}, Java's non-DOTALL {@code .} also stops at
 * {@code \r}, U+0085, U+2028 and U+2029 (Python's stops only at {@code \n}), and the lazy {@code
 * <answer>(.*?)</answer>} search is quadratic on adversarial input in both engines. The scans below are
 * linear and give the same match as Python's {@code re.search}.
 */
public final class PyText {
  public static final String OPEN = "<answer>";
  public static final String CLOSE = "</answer>";

  private PyText() {}

  /** Python's {@code str.isspace()} for one character (Unicode White_Space as CPython defines it). */
  public static boolean isSpace(char c) {
    if (c <= ' ') {
      return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
    }
    return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028
        || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
  }

  /** Python's {@code str.strip()} with no argument. */
  public static String strip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && isSpace(s.charAt(a))) {
      a++;
    }
    while (b > a && isSpace(s.charAt(b - 1))) {
      b--;
    }
    return s.substring(a, b);
  }

  /**
   * {@code m = re.search(r'<answer>(.*?)</answer>', s[, re.DOTALL])}; returns {@code m.group(1)} or null
   * when there is no match.
   */
  public static String searchAnswer(String s, boolean dotAll) {
    int open = s.indexOf(OPEN);
    if (open < 0) {
      return null;
    }
    if (dotAll) {
      // Any later <answer> would find the same or no </answer>, so only the first start matters.
      int close = s.indexOf(CLOSE, open + OPEN.length());
      return close < 0 ? null : s.substring(open + OPEN.length(), close);
    }
    // Without DOTALL the group may not contain '\n': a start matches iff the first </answer> after it
    // comes before the next newline. Both positions only move forward as the start does: linear.
    int close = -2;
    int newline = -2;
    while (open >= 0) {
      int from = open + OPEN.length();
      if (close != -1 && close < from) {
        close = s.indexOf(CLOSE, from);
      }
      if (close == -1) {
        return null;
      }
      if (newline != -1 && newline < from) {
        newline = s.indexOf('\n', from);
      }
      if (newline == -1 || close <= newline) {
        return s.substring(from, close);
      }
      open = s.indexOf(OPEN, newline + 1);
    }
    return null;
  }

  /** {@code m.group(1).strip() if m else s.strip()}: the answer extraction shared by all rewards. */
  public static String answerOrWhole(String s, boolean dotAll) {
    String g = searchAnswer(s, dotAll);
    return strip(g != null ? g : s);
  }

  /** {@code s.rsplit(sep, 1)[0]}. */
  public static String rsplitFirst(String s, String sep) {
    int i = s.lastIndexOf(sep);
    return i < 0 ? s : s.substring(0, i);
  }

  /** Python's {@code a < b} on two strings: code point order, not UTF-16 unit order. */
  public static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
