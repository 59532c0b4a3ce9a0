package dev.virft.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.py.PyError;
import dev.virft.py.PyJson;
import dev.virft.py.PyNone;
import dev.virft.py.PyNumbers;
import dev.virft.py.PyText;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Python behaviours the rewards depend on: json.loads, str.strip, re.search, int/float maths. */
class PythonSemanticsTest {
  @Test
  void jsonLoadsLikePython() {
    assertEquals(List.of(BigInteger.ONE, 1.0, 1e5), PyJson.loads(" [1, 1.0, 1e5] "));
    assertTrue(Double.isNaN((Double) ((List<?>) PyJson.loads("[NaN]")).get(0)));
    assertEquals(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY), PyJson.loads("[Infinity,-Infinity]"));
    assertEquals(Double.POSITIVE_INFINITY, PyJson.loads("1e400"));
    assertEquals(PyNone.NONE, PyJson.loads("null"));
    Map<?, ?> dup = (Map<?, ?>) PyJson.loads("{\"a\": 1, \"b\": 2, \"a\": 3}");
    assertEquals(List.of("a", "b"), List.copyOf(dup.keySet()));
    assertEquals(BigInteger.valueOf(3), dup.get("a"));
    for (String bad :
        new String[] {"+Infinity", "-INF", "INF", "[1,]", "[01]", "1.", ".5", "'a'", "[1] x", "[1] [2]",
          "\ufeff[1]", "", "{\"a\" 1}", "\"a\tb\"", "[\"\\x\"]"}) {
      PyError e = assertThrows(PyError.class, () -> PyJson.loads(bad), bad);
      assertTrue(e.getMessage().startsWith("JSONDecodeError"), bad + ": " + e.getMessage());
    }
  }

  @Test
  void jsonIntDigitLimitAndDepthLimit() {
    assertEquals(new BigInteger("9".repeat(4300)), PyJson.loads("9".repeat(4300)));
    assertEquals(new BigInteger("-" + "9".repeat(4300)), PyJson.loads("-" + "9".repeat(4300)));
    PyError e = assertThrows(PyError.class, () -> PyJson.loads("9".repeat(4301)));
    assertTrue(e.getMessage().startsWith("ValueError"));
    assertEquals(1e300, ((Double) PyJson.loads("1" + "0".repeat(300) + ".0")), 0.0);
    assertThrows(PyError.class, () -> PyJson.loads("[".repeat(5000) + "]".repeat(5000)));
    assertEquals(List.of(List.of()), PyJson.loads("[[]]"));
  }

  @Test
  void stripUsesPythonWhitespace() {
    assertEquals("x", PyText.strip("\u00a0\u2007\u202f\u0085\u001c x \u3000\u2028"));
    assertEquals("\u200bx", PyText.strip("\u200bx")); // not whitespace in Python
  }

  @Test
  void nonDotallSearchStopsOnlyAtNewline() {
    assertEquals("a\rb\u2028c", PyText.searchAnswer("<answer>a\rb\u2028c</answer>", false));
    assertNull(PyText.searchAnswer("<answer>a\nb</answer>", false));
    assertEquals("b", PyText.searchAnswer("<answer>a\n<answer>b</answer>", false));
    assertEquals("a\n<answer>b", PyText.searchAnswer("<answer>a\n<answer>b</answer>", true));
    assertEquals("", PyText.searchAnswer("<answer></answer></answer>", false));
    assertNull(PyText.searchAnswer("</answer><answer>", true));
  }

  @Test
  void intTrueDivisionIsCorrectlyRounded() {
    Random rnd = new Random(7);
    for (int i = 0; i < 2000; i++) {
      BigInteger a = new BigInteger(1 + rnd.nextInt(400), rnd);
      BigInteger b = new BigInteger(1 + rnd.nextInt(400), rnd).add(BigInteger.ONE);
      double expected =
          new BigDecimal(a).divide(new BigDecimal(b), new MathContext(80)).doubleValue();
      assertEquals(expected, PyNumbers.intTrueDiv(a, b), a + "/" + b);
    }
    assertThrows(PyError.class, () -> PyNumbers.intTrueDiv(BigInteger.ONE, BigInteger.ZERO));
    assertThrows(PyError.class, () -> PyNumbers.trueDiv(1.0, 0.0));
    assertThrows(PyError.class, () -> PyNumbers.toFloat(BigInteger.TEN.pow(400)));
  }

  @Test
  void intsCompareExactlyWithFloats() {
    BigInteger big = BigInteger.TWO.pow(53).add(BigInteger.ONE);
    assertTrue(PyNumbers.lt(9007199254740992.0, big)); // 2^53 < 2^53 + 1, not equal after rounding
    assertTrue(PyNumbers.lt(BigInteger.TEN.pow(400), Double.POSITIVE_INFINITY));
    assertEquals(false, PyNumbers.lt(Double.NaN, 1.0));
    assertEquals(false, PyNumbers.lt(1.0, Double.NaN));
    assertEquals(1.0, PyNumbers.max(1.0, Double.NaN)); // Python keeps the first unless the second is greater
    assertThrows(PyError.class, () -> PyNumbers.lt("a", BigInteger.ONE));
    assertTrue(PyNumbers.lt("\uffff", "\ud800\udc00")); // code point order, not UTF-16
  }
}
