package dev.virft.reward;

import dev.virft.py.PyError;
import dev.virft.py.PyJson;
import dev.virft.py.PyNone;
import dev.virft.py.PyNumbers;
import dev.virft.py.PyText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses detection answers {@code [{'Position': [x1, y1, x2, y2], 'Confidence': c}, ...]} (boxes in
 * Qwen2-VL's 0–1000 space) exactly as the original training reward (grpo.py) and COCO/LVIS evaluation
 * (Qwen2_VL_coco_infere.py) do. The one implementation shared by rewards and evaluation.
 */
public final class DetectionAnswerParser {
  private DetectionAnswerParser() {}

  /**
   * The original {@code extract_bbox(s)}: the text between the first {@code <answer>} and the first
   * {@code </answer>} (or the end), repaired with {@code rsplit("},", 1)[0] + "}]"} when it does not end
   * with {@code ]}, single quotes swapped for double quotes, then {@code json.loads}. Returns the parsed
   * Python value, or null for Python's None (no {@code <answer>}, a JSON error, or JSON {@code null}).
   * Other Python exceptions from {@code json.loads} (ValueError for over-long ints, RecursionError)
   * propagate as {@link PyError}, as they do in the original.
   */
  public static Object extractBbox(String s) {
    int open = s.indexOf(PyText.OPEN);
    if (open < 0) {
      return null;
    }
    int start = open + PyText.OPEN.length();
    int end = s.indexOf(PyText.CLOSE); // searched from 0, as str.find: may lie before start
    if (end == -1) {
      end = s.length();
    }
    String content = end <= start ? "" : s.substring(start, end);
    if (!content.endsWith("]")) {
      content = PyText.rsplitFirst(content, "},") + "}]";
    }
    String corrected = content.replace('\'', '"');
    try {
      Object v = PyJson.loads(corrected);
      return v == PyNone.NONE ? null : v;
    } catch (PyError e) {
      if (e.getMessage().startsWith("JSONDecodeError")) {
        return null;
      }
      throw e;
    }
  }

  /**
   * The training reward's student answer: {@code <answer>} + (non-DOTALL regex group or the whole
   * completion).strip() + {@code </answer>}, then {@code [[}→{@code [}, {@code ]]}→{@code ]}, newlines
   * removed. {@code dotAll} is the guarded variant that also finds answers spanning several lines.
   */
  public static String trainingAnswer(String completion, boolean dotAll) {
    String student = PyText.OPEN + PyText.answerOrWhole(completion, dotAll) + PyText.CLOSE;
    return student.replace("[[", "[").replace("]]", "]").replace("\n", "");
  }

  /**
   * The evaluation scripts' answer: the clean-up ({@code [[}, {@code ]]}, newlines, {@code ", ..."})
   * comes before the non-DOTALL regex, so multi-line answers are found.
   */
  public static String evalAnswer(String response) {
    String r = response.replace("[[", "[").replace("]]", "]").replace("\n", "").replace(", ...", "");
    return PyText.OPEN + PyText.answerOrWhole(r, false) + PyText.CLOSE;
  }

  /**
   * {@code remove_duplicates}: keeps the first box of each distinct {@code tuple(Position)}. Raises
   * TypeError/KeyError as Python would for a non-dict item, a missing or non-iterable Position, or an
   * unhashable (list/dict) coordinate.
   */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> removeDuplicates(List<?> boxes) {
    Set<List<Object>> seen = new HashSet<>();
    List<Map<String, Object>> unique = new ArrayList<>();
    for (Object box : boxes) {
      Map<String, Object> dict = asDict(box);
      List<Object> tuple = iterate(getItem(dict, "Position"));
      List<Object> key = new ArrayList<>(tuple.size());
      for (Object element : tuple) {
        key.add(hashKey(element));
      }
      if (seen.add(key)) {
        unique.add(dict);
      }
    }
    return unique;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asDict(Object o) {
    if (o instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw PyError.typeError("'" + PyNumbers.typeName(o) + "' object is not subscriptable by str");
  }

  /** {@code d[key]} on a parsed value. */
  static Object getItem(Object container, String key) {
    if (container instanceof Map<?, ?> m) {
      Object v = m.get(key);
      if (v == null) {
        throw new PyError("KeyError", key);
      }
      return v;
    }
    throw PyError.typeError("'" + PyNumbers.typeName(container) + "' indices must be integers");
  }

  /** {@code list(x)} / {@code tuple(x)}: list items, dict keys, or a string's characters. */
  static List<Object> iterate(Object o) {
    if (o instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (o instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (o instanceof String s) {
      List<Object> chars = new ArrayList<>();
      s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
      return chars;
    }
    throw PyError.typeError("'" + PyNumbers.typeName(o) + "' object is not iterable");
  }

  /**
   * A key equal for exactly the values Python's tuple equality (with its identity shortcut) calls
   * equal: numbers by value across int/float/bool, and NaN equal to NaN because json.loads returns
   * the same NaN object every time.
   */
  private static Object hashKey(Object o) {
    if (o instanceof List || o instanceof Map) {
      throw PyError.typeError("unhashable type: '" + PyNumbers.typeName(o) + "'");
    }
    if (o instanceof Boolean b) {
      return b ? BigInteger.ONE : BigInteger.ZERO;
    }
    if (o instanceof Double d) {
      if (Double.isNaN(d)) {
        return "\0NaN";
      }
      if (!Double.isInfinite(d) && d == Math.rint(d)) {
        return new BigDecimal(d).toBigIntegerExact();
      }
      return d;
    }
    return o; // BigInteger, String, PyNone: equals() matches Python's ==
  }

  /** A predicted box converted to a COCO results entry in pixels. */
  public record PixelBox(double[] bbox, Object score) {}

  /** What the evaluation script emits for one response. */
  public record EvalBoxes(List<PixelBox> boxes, boolean error) {}

  /**
   * The COCO/LVIS evaluation path for one response: clean-up, extract_bbox, nothing when the result is
   * None or its first item is a str, otherwise remove_duplicates and, per box, {@code trans_bbox}:
   * {@code x/1000.0*W}, {@code y/1000.0*H}, width and height as differences of the scaled corners (the
   * original's order of operations, so the floats are identical). The score is the raw Confidence. As in
   * the original, an exception stops the response and counts as an error, keeping the boxes emitted
   * before it. A non-numeric Confidence is treated as such an error (the original would write it and
   * pycocotools would fail later).
   */
  public static EvalBoxes parseForEval(String response, int imageWidth, int imageHeight) {
    List<PixelBox> out = new ArrayList<>();
    try {
      Object parsed = extractBbox(evalAnswer(response));
      if (parsed == null || firstItem(parsed) instanceof String) {
        return new EvalBoxes(out, false);
      }
      List<?> list = (List<?>) parsed; // firstItem raised unless parsed is a non-empty list
      for (Map<String, Object> box : removeDuplicates(list)) {
        double[] xywh = toPixels(getItem(box, "Position"), imageWidth, imageHeight);
        Object score = getItem(box, "Confidence");
        if (!PyNumbers.isNumber(score)) {
          throw PyError.typeError("Confidence is a " + PyNumbers.typeName(score));
        }
        out.add(new PixelBox(xywh, score));
      }
      return new EvalBoxes(out, false);
    } catch (PyError e) {
      return new EvalBoxes(out, true);
    }
  }

  /** {@code x[0]} on a parsed value: IndexError/KeyError/TypeError unless a non-empty list or str. */
  static Object firstItem(Object parsed) {
    if (parsed instanceof List<?> l) {
      if (l.isEmpty()) {
        throw new PyError("IndexError", "list index out of range");
      }
      return l.get(0);
    }
    if (parsed instanceof String s) {
      if (s.isEmpty()) {
        throw new PyError("IndexError", "string index out of range");
      }
      return s.substring(0, Character.charCount(s.codePointAt(0)));
    }
    if (parsed instanceof Map) {
      throw new PyError("KeyError", "0");
    }
    throw PyError.typeError("'" + PyNumbers.typeName(parsed) + "' object is not subscriptable");
  }

  /**
   * The original {@code trans_bbox}: 0–1000 corners to a pixel COCO {@code [x, y, w, h]}, with W and H
   * the original image size.
   */
  public static double[] toPixels(Object position, int imageWidth, int imageHeight) {
    List<Object> p = unpack4(position);
    BigInteger w = BigInteger.valueOf(imageWidth);
    BigInteger h = BigInteger.valueOf(imageHeight);
    double x1 = PyNumbers.toFloat(PyNumbers.mul(PyNumbers.trueDiv(p.get(0), 1000.0), w));
    double y1 = PyNumbers.toFloat(PyNumbers.mul(PyNumbers.trueDiv(p.get(1), 1000.0), h));
    double x2 = PyNumbers.toFloat(PyNumbers.mul(PyNumbers.trueDiv(p.get(2), 1000.0), w));
    double y2 = PyNumbers.toFloat(PyNumbers.mul(PyNumbers.trueDiv(p.get(3), 1000.0), h));
    return new double[] {x1, y1, x2 - x1, y2 - y1};
  }

  /** {@code a, b, c, d = value}: exactly four items, else ValueError. */
  static List<Object> unpack4(Object value) {
    List<Object> items = iterate(value);
    if (items.size() != 4) {
      throw new PyError("ValueError", "expected 4 values to unpack, got " + items.size());
    }
    return items;
  }
}
