package dev.virft.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.py.PyError;
import java.math.BigInteger;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spec §1.3 LISA grounding reward (values from the original compute_giou) and its guarded variant. */
class LisaRewardTest {
  static final String GT = "<answer> (100,200),(300,400) </answer>";
  static final Reward FAITHFUL = new LisaAccuracyReward();
  static final Reward GUARDED = FAITHFUL.guarded().orElseThrow();

  static double f(String c, String sol) {
    return FAITHFUL.score(c, sol, Map.of());
  }

  static double g(String c, String sol) {
    return GUARDED.score(c, sol, Map.of());
  }

  @Test
  void exactStringMatchScoresTwo() {
    assertEquals(2.0, f("<think>x</think><answer>(100,200),(300,400)</answer>", GT));
    assertEquals(2.0, f("<answer>no box</answer>", "<answer> no box </answer>")); // no boxes at all
  }

  @Test
  void giouPlusOne() {
    assertEquals(2.0, f("<answer>( 100 , 200 ),( 300 , 400 )</answer>", GT)); // same box, other spelling
    assertEquals(1.5, f("<answer>(100,200),(200,400)</answer>", GT)); // IoU 0.5, C = GT
    assertEquals(0.2222222222222222, f("<answer>(500,600),(700,800)</answer>", GT)); // disjoint
    assertEquals(0.0, f("<answer>nothing</answer>", GT)); // IndexError
  }

  @Test
  void answerIsSearchedWithDotall() {
    assertEquals(2.0, f("<think>x</think>\n<answer>\n(100,200),\n(300,400)\n</answer>", GT));
  }

  @Test
  void cornerPairingQuirkWithTwoBoxes() {
    // [0] = (0.1, 0.2) and [1] = the second box's top-left (0.15, 0.25).
    assertEquals(1.0624999999999998, f("<answer>(100,200),(300,400), (150,250),(350,450)</answer>", GT));
    assertEquals(0.0, g("<answer>(100,200),(300,400), (150,250),(350,450)</answer>", GT));
  }

  @Test
  void invertedBoxExploit() {
    String gt = "<answer> (400,400),(600,600) </answer>";
    String c = "<answer>(900,900),(100,100)</answer>";
    assertEquals(17.00000000000001, f(c, gt)); // far above the nominal maximum of 2
    assertEquals(0.0, g(c, gt));
  }

  @Test
  void unicodeDigitsAreDigitsAsInPython() {
    // Python's \d and int() accept Arabic-Indic digits: (١٠٠,٢٠٠) is (100,200).
    assertEquals(2.0, f("<answer>(١٠٠,٢٠٠),(300,400)</answer>", GT));
  }

  @Test
  void overLongNumbersFailLikePythonInt() {
    String digits = "9".repeat(4301);
    assertThrows(PyError.class, () -> LisaBoxParser.findAll("(" + digits + ",0),(1,1)"));
    assertEquals(0.0, f("<answer>(" + digits + ",0),(1,1)</answer>", GT));
    assertEquals(new BigInteger("9".repeat(4300)), LisaBoxParser.pyInt("9".repeat(4300)));
  }

  @Test
  void hugeCoordinatesCanMakeTheFaithfulRewardNaN() {
    String big = "1" + "0".repeat(310);
    double v = f("<answer>(0,0),(" + big + "," + big + ")</answer>", GT);
    assertTrue(Double.isNaN(v));
    assertEquals(0.0, g("<answer>(0,0),(" + big + "," + big + ")</answer>", GT));
  }

  @Test
  void evaluationTakesTheFirstBox() {
    LisaBoxParser.RawBox b = LisaBoxParser.first("x (696,300),(999,999) (1,2),(3,4)");
    assertEquals(new LisaBoxParser.RawBox(BigInteger.valueOf(696), BigInteger.valueOf(300),
        BigInteger.valueOf(999), BigInteger.valueOf(999)), b);
    assertEquals(0.696, b.normalized()[0]);
    assertEquals(null, LisaBoxParser.first("(1,2)"));
  }
}
