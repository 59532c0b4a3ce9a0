package dev.virft.py;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Python number semantics for values parsed from answers: {@link BigInteger} is Python {@code int},
 * {@link Double} is {@code float}, {@link Boolean} is {@code bool} (an {@code int}). Strings compare
 * with each other (code point order); every other mix raises TypeError, as in Python.
 *
 * <p>Hand-written because the rewards must be bit-identical to the Python code: ints are exact,
 * int/int true division is correctly rounded, int→float conversion overflows with an error, float
 * division by zero raises, and ints compare exactly with floats (not after rounding to double).
 */
public final class PyNumbers {
  private static final BigInteger TWO_53 = BigInteger.ONE.shiftLeft(53);

  private PyNumbers() {}

  public static boolean isNumber(Object o) {
    return o instanceof BigInteger || o instanceof Double || o instanceof Boolean;
  }

  public static boolean isInt(Object o) {
    return o instanceof BigInteger || o instanceof Boolean;
  }

  public static BigInteger asInt(Object o) {
    if (o instanceof Boolean b) {
      return b ? BigInteger.ONE : BigInteger.ZERO;
    }
    return (BigInteger) o;
  }

  /** Python {@code float(x)} for a number; OverflowError when an int is too large for a double. */
  public static double toFloat(Object o) {
    if (o instanceof Double d) {
      return d;
    }
    if (!isNumber(o)) {
      throw PyError.typeError("must be real number, not " + typeName(o));
    }
    double d = asInt(o).doubleValue(); // correctly rounded (half-even), like PyLong_AsDouble
    if (Double.isInfinite(d)) {
      throw new PyError("OverflowError", "int too large to convert to float");
    }
    return d;
  }

  private static void requireNumbers(String op, Object a, Object b) {
    if (!isNumber(a) || !isNumber(b)) {
      throw PyError.typeError(
          "unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
    }
  }

  public static Object sub(Object a, Object b) {
    requireNumbers("-", a, b);
    if (isInt(a) && isInt(b)) {
      return asInt(a).subtract(asInt(b));
    }
    return toFloat(a) - toFloat(b);
  }

  public static Object add(Object a, Object b) {
    requireNumbers("+", a, b);
    if (isInt(a) && isInt(b)) {
      return asInt(a).add(asInt(b));
    }
    return toFloat(a) + toFloat(b);
  }

  public static Object mul(Object a, Object b) {
    requireNumbers("*", a, b);
    if (isInt(a) && isInt(b)) {
      return asInt(a).multiply(asInt(b));
    }
    return toFloat(a) * toFloat(b);
  }

  /** Python {@code a / b}. */
  public static double trueDiv(Object a, Object b) {
    requireNumbers("/", a, b);
    if (isInt(a) && isInt(b)) {
      return intTrueDiv(asInt(a), asInt(b));
    }
    double x = toFloat(a);
    double y = toFloat(b);
    if (y == 0.0) {
      throw new PyError("ZeroDivisionError", "float division by zero");
    }
    return x / y;
  }

  /** Correctly rounded int/int division, as CPython's long_true_divide. */
  public static double intTrueDiv(BigInteger a, BigInteger b) {
    if (b.signum() == 0) {
      throw new PyError("ZeroDivisionError", "division by zero");
    }
    if (a.abs().compareTo(TWO_53) <= 0 && b.abs().compareTo(TWO_53) <= 0) {
      return a.doubleValue() / b.doubleValue(); // both exact, so IEEE division rounds once
    }
    boolean negative = a.signum() * b.signum() < 0;
    BigInteger x = a.abs();
    BigInteger y = b.abs();
    if (x.signum() == 0) {
      return negative ? -0.0 : 0.0;
    }
    // Scale so the quotient has 55..56 bits, fold the remainder into a sticky bit, round once.
    int shift = y.bitLength() - x.bitLength() + 55;
    BigInteger num = shift > 0 ? x.shiftLeft(shift) : x;
    BigInteger den = shift < 0 ? y.shiftLeft(-shift) : y;
    BigInteger[] qr = num.divideAndRemainder(den);
    BigInteger q = qr[1].signum() != 0 ? qr[0].setBit(0) : qr[0];
    double r = Math.scalb(q.doubleValue(), -shift);
    if (Double.isInfinite(r)) {
      throw new PyError("OverflowError", "integer division result too large for a float");
    }
    return negative ? -r : r;
  }

  /** Python {@code a < b}. */
  public static boolean lt(Object a, Object b) {
    return compare(a, b, "<") < 0;
  }

  /** Python {@code a <= b}. */
  public static boolean le(Object a, Object b) {
    int c = compare(a, b, "<=");
    return c <= 0 && c != NAN;
  }

  /** Python {@code max(a, b)}: keeps {@code a} unless {@code b > a}. */
  public static Object max(Object a, Object b) {
    return lt(a, b) ? b : a;
  }

  /** Python {@code min(a, b)}: keeps {@code a} unless {@code b < a}. */
  public static Object min(Object a, Object b) {
    return lt(b, a) ? b : a;
  }

  private static final int NAN = 2;

  /** -1/0/1, or {@link #NAN} when a float NaN makes every comparison false. */
  private static int compare(Object a, Object b, String op) {
    if (a instanceof String sa && b instanceof String sb) {
      return Integer.signum(PyText.compareCodePoints(sa, sb));
    }
    if (!isNumber(a) || !isNumber(b)) {
      throw PyError.typeError(
          "'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }
    return compareNumbers(a, b);
  }

  /** Exact comparison of two numbers; {@link #NAN} if either is NaN. */
  public static int compareNumbers(Object a, Object b) {
    if (isInt(a) && isInt(b)) {
      return asInt(a).compareTo(asInt(b));
    }
    if (a instanceof Double x && b instanceof Double y) {
      if (Double.isNaN(x) || Double.isNaN(y)) {
        return NAN;
      }
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a instanceof Double x) {
      int c = compareIntFloat(asInt(b), x);
      return c == NAN ? NAN : -c;
    }
    return compareIntFloat(asInt(a), (Double) b);
  }

  private static int compareIntFloat(BigInteger i, double d) {
    if (Double.isNaN(d)) {
      return NAN;
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? -1 : 1;
    }
    if (i.bitLength() <= 53) {
      double x = i.doubleValue(); // exact, so the double comparison is the exact one
      return x < d ? -1 : (x > d ? 1 : 0);
    }
    return new BigDecimal(i).compareTo(new BigDecimal(d));
  }

  public static boolean isNaN(Object o) {
    return o instanceof Double d && Double.isNaN(d);
  }

  public static String typeName(Object o) {
    if (o instanceof Boolean) {
      return "bool";
    } else if (o instanceof BigInteger) {
      return "int";
    } else if (o instanceof Double) {
      return "float";
    } else if (o instanceof String) {
      return "str";
    } else if (o instanceof java.util.List) {
      return "list";
    } else if (o instanceof java.util.Map) {
      return "dict";
    } else if (o == PyNone.NONE || o == null) {
      return "NoneType";
    }
    return o.getClass().getSimpleName();
  }
}
