package dev.virft.reward;

import dev.virft.py.PyError;
import dev.virft.py.PyJson;
import dev.virft.py.PyNumbers;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LISA grounding boxes {@code (x1,y1),(x2,y2)} in 0–1000 integers, as grpo_lisa.py and the LISA
 * evaluation read them: {@code re.findall(r"\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*,\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")}
 * with Python's Unicode {@code \d} (any decimal digit, which {@code int()} accepts) and Unicode
 * {@code \s}. The pattern cannot backtrack catastrophically: digits, whitespace and punctuation are
 * disjoint classes. One implementation shared by the reward and evaluation.
 */
public final class LisaBoxParser {
  /** Python's {@code \s} for str patterns, spelled out (Java's {@code \s} is ASCII only). */
  static final String PY_SPACE =
      "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

  private static final String D = "(\\p{Nd}+)";
  private static final String S = PY_SPACE + "*";
  private static final Pattern BOX =
      Pattern.compile(
          "\\(" + S + D + S + "," + S + D + S + "\\)" + S + "," + S + "\\(" + S + D + S + "," + S + D + S
              + "\\)");

  private LisaBoxParser() {}

  /** One match: the four integers as written (0–1000 in well-formed answers). */
  public record RawBox(BigInteger x1, BigInteger y1, BigInteger x2, BigInteger y2) {
    /** Corners divided by 1000 as Python's {@code int(x) / 1000} (correctly rounded). */
    public double[] normalized() {
      BigInteger k = BigInteger.valueOf(1000);
      return new double[] {
        PyNumbers.intTrueDiv(x1, k),
        PyNumbers.intTrueDiv(y1, k),
        PyNumbers.intTrueDiv(x2, k),
        PyNumbers.intTrueDiv(y2, k)
      };
    }
  }

  /**
   * Every match, in order. Python's {@code int()} raises ValueError beyond 4300 digits; that is thrown
   * here as {@link PyError} (the reward scores 0, the evaluation scores IoU 0).
   */
  public static List<RawBox> findAll(String text) {
    List<RawBox> out = new ArrayList<>();
    Matcher m = BOX.matcher(text);
    while (m.find()) {
      out.add(new RawBox(pyInt(m.group(1)), pyInt(m.group(2)), pyInt(m.group(3)), pyInt(m.group(4))));
    }
    return out;
  }

  /** The first match (LISA evaluation), or null. */
  public static RawBox first(String text) {
    Matcher m = BOX.matcher(text);
    if (!m.find()) {
      return null;
    }
    return new RawBox(pyInt(m.group(1)), pyInt(m.group(2)), pyInt(m.group(3)), pyInt(m.group(4)));
  }

  /** Python {@code int(s)} for a run of Unicode decimal digits. */
  static BigInteger pyInt(String digits) {
    int count = digits.codePointCount(0, digits.length());
    if (count > PyJson.MAX_INT_DIGITS) {
      throw new PyError("ValueError", "Exceeds the limit (4300 digits) for integer string conversion");
    }
    StringBuilder ascii = new StringBuilder(count);
    digits.codePoints().forEach(cp -> ascii.append((char) ('0' + Character.digit(cp, 10))));
    return new BigInteger(ascii.toString());
  }

  /**
   * The reward's corner list {@code [(x1,y1) per match] + [(x2,y2) per match]} reduced to its
   * elements [0] and [1], which it uses as top-left and bottom-right: with two or more boxes, [1] is
   * the second box's top-left (the original's pairing quirk). IndexError when nothing matched.
   */
  public static double[] rewardCorners(List<RawBox> boxes) {
    if (boxes.isEmpty()) {
      throw new PyError("IndexError", "list index out of range");
    }
    // Python converts every match (all x1,y1 first, then all x2,y2); any conversion error fails all.
    List<double[]> tl = new ArrayList<>();
    List<double[]> br = new ArrayList<>();
    for (RawBox b : boxes) {
      double[] n = b.normalized();
      tl.add(new double[] {n[0], n[1]});
      br.add(new double[] {n[2], n[3]});
    }
    double[] first = tl.get(0);
    double[] second = boxes.size() >= 2 ? tl.get(1) : br.get(0);
    return new double[] {first[0], first[1], second[0], second[1]};
  }
}
