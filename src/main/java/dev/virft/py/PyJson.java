package dev.virft.py;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code json.loads(s)} as Python does it, on Jackson's streaming parser, producing Python-like values:
 * {@code list} → {@link List}, {@code dict} → {@link LinkedHashMap} (duplicate keys: last value, first
 * position), {@code int} → {@link java.math.BigInteger}, {@code float} → {@link Double}, {@code bool} →
 * {@link Boolean}, {@code null} → {@link PyNone#NONE}.
 *
 * <p>Where Jackson and Python differ, Python wins: {@code NaN}, {@code Infinity} and {@code -Infinity}
 * are accepted but not Jackson's extra {@code +Infinity}/{@code INF} spellings; a leading BOM and any
 * trailing data are rejected; ints longer than 4300 digits raise ValueError (CPython's
 * int_max_str_digits); floats of any length parse (Python rounds {@code 1e400} to inf, so does Jackson).
 * The tree is built with an explicit stack (no recursion, no StackOverflowError); nesting deeper than
 * 1000 levels is an error, which stands in for Python's RecursionError (both end as reward 0).
 *
 * <p>{@link #dumps} writes the other way, as {@code json.dumps} does (hand-written: Jackson's pretty
 * printer spaces differently).
 */
public final class PyJson {
  /** CPython's default {@code sys.int_info.default_max_str_digits}. */
  public static final int MAX_INT_DIGITS = 4300;

  public static final int MAX_DEPTH = 1000;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNumberLength(Integer.MAX_VALUE)
                  .maxStringLength(Integer.MAX_VALUE)
                  .maxNestingDepth(MAX_DEPTH)
                  .build())
          .build();

  private PyJson() {}

  /** Parses like {@code json.loads}; throws {@link PyError} where Python raises. */
  public static Object loads(String s) {
    if (!s.isEmpty() && s.charAt(0) == '\ufeff') {
      throw new PyError("JSONDecodeError", "Unexpected UTF-8 BOM (decode using utf-8-sig)");
    }
    try (JsonParser p = FACTORY.createParser(s)) {
      Object root = readValue(p);
      if (p.nextToken() != null) {
        throw new PyError("JSONDecodeError", "Extra data");
      }
      return root;
    } catch (IOException | RuntimeException e) {
      if (e instanceof PyError pe) {
        throw pe;
      }
      throw new PyError("JSONDecodeError", String.valueOf(e.getMessage()));
    }
  }

  private static Object readValue(JsonParser p) throws IOException {
    Deque<Object> stack = new ArrayDeque<>();
    Deque<String> keys = new ArrayDeque<>();
    JsonToken t = p.nextToken();
    if (t == null) {
      throw new PyError("JSONDecodeError", "Expecting value");
    }
    while (true) {
      Object value;
      switch (t) {
        case START_ARRAY -> {
          stack.push(new ArrayList<>());
          t = p.nextToken();
          continue;
        }
        case START_OBJECT -> {
          stack.push(new LinkedHashMap<String, Object>());
          t = p.nextToken();
          continue;
        }
        case FIELD_NAME -> {
          keys.push(p.currentName());
          t = p.nextToken();
          continue;
        }
        case END_ARRAY, END_OBJECT -> value = stack.pop();
        case VALUE_STRING -> value = p.getText();
        case VALUE_NUMBER_INT -> value = readInt(p);
        case VALUE_NUMBER_FLOAT -> value = readFloat(p);
        case VALUE_TRUE -> value = Boolean.TRUE;
        case VALUE_FALSE -> value = Boolean.FALSE;
        case VALUE_NULL -> value = PyNone.NONE;
        default -> throw new PyError("JSONDecodeError", "unexpected token " + t);
      }
      if (stack.isEmpty()) {
        return value;
      }
      add(stack.peek(), keys, value);
      t = p.nextToken();
    }
  }

  @SuppressWarnings("unchecked")
  private static void add(Object container, Deque<String> keys, Object value) {
    if (container instanceof List<?> list) {
      ((List<Object>) list).add(value);
    } else {
      ((Map<String, Object>) container).put(keys.pop(), value);
    }
  }

  private static Object readInt(JsonParser p) throws IOException {
    int len = p.getTextLength();
    int digits = len - (p.getTextCharacters()[p.getTextOffset()] == '-' ? 1 : 0);
    if (digits > MAX_INT_DIGITS) {
      throw new PyError(
          "ValueError", "Exceeds the limit (4300 digits) for integer string conversion: value has "
              + digits + " digits");
    }
    return p.getBigIntegerValue();
  }

  private static Object readFloat(JsonParser p) throws IOException {
    if (p.isNaN()) { // Jackson's "non-numeric" numbers: NaN and the infinities
      String text = p.getText();
      return switch (text) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> throw new PyError("JSONDecodeError", "Expecting value: " + text);
      };
    }
    return p.getDoubleValue();
  }

  /**
   * {@code json.dumps(v)}: ", " and ": " separators, ASCII-only escapes, so the metadata files we write
   * look exactly like the ones HF datasets writes (Jackson's pretty printer differs: " : ", "{ }").
   * Values: null, String, Boolean, Number, Map, List.
   */
  public static String dumps(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v, -1, 0);
    return sb.toString();
  }

  /** {@code json.dumps(v, indent=indent)}. */
  public static String dumps(Object v, int indent) {
    StringBuilder sb = new StringBuilder();
    write(sb, v, indent, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int indent, int depth) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      quote(sb, s);
    } else if (v instanceof Boolean || v instanceof Number) {
      sb.append(v);
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) sb.append(indent < 0 ? ", " : ",");
        first = false;
        newline(sb, indent, depth + 1);
        quote(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), indent, depth + 1);
      }
      newline(sb, indent, depth);
      sb.append('}');
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(indent < 0 ? ", " : ",");
        newline(sb, indent, depth + 1);
        write(sb, l.get(i), indent, depth + 1);
      }
      newline(sb, indent, depth);
      sb.append(']');
    } else {
      throw new IllegalArgumentException("not JSON: " + v.getClass());
    }
  }

  private static void newline(StringBuilder sb, int indent, int depth) {
    if (indent >= 0) {
      sb.append('\n').append(" ".repeat(indent * depth));
    }
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
