package dev.virft.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spec §1.2 classification reward and its guarded variant. */
class ClassificationRewardTest {
  static final Reward FAITHFUL = new ClassificationAccuracyReward();
  static final Reward GUARDED = FAITHFUL.guarded().orElseThrow();

  static double f(String c, String sol) {
    return FAITHFUL.score(c, sol, Map.of());
  }

  static double g(String c, String sol) {
    return GUARDED.score(c, sol, Map.of());
  }

  @Test
  void normalisedNamesMatch() {
    assertEquals(1.0, f("<think>x</think><answer>Pink_Primrose</answer>", "<answer>pink primrose</answer>"));
    assertEquals(1.0, f("<answer>AMERICAN BULLDOG</answer>", "american_bulldog")); // solution without tags
    assertEquals(0.0, f("<answer>sweet pea</answer>", "<answer>pink primrose</answer>"));
  }

  @Test
  void substringEitherWayIsCorrect() {
    // Spec: "Acura" matches "2012acurarlsedan".
    assertEquals(1.0, f("<think>x</think><answer>Acura</answer>", "<answer>2012 Acura RL Sedan</answer>"));
    assertEquals(1.0, f("<answer>It is a pink primrose flower</answer>", "<answer>pink primrose</answer>"));
  }

  @Test
  void missingTagsUseTheWholeCompletion() {
    assertEquals(1.0, f("pink primrose", "<answer>pink primrose</answer>"));
    assertEquals(0.0, f("<answer>pink\nprimrose</answer> daisy", "<answer>pink primrose</answer>"));
  }

  @Test
  void emptyAnswerExploit() {
    String c = "<think>no idea</think><answer></answer>";
    assertEquals(1.0, f(c, "<answer>pink primrose</answer>"));
    assertEquals(0.0, g(c, "<answer>pink primrose</answer>"));
    assertEquals(0.0, g("<answer> _ </answer>", "<answer>pink primrose</answer>"));
  }

  @Test
  void severalClassesExploit() {
    String gt = "<answer>pink primrose</answer>";
    for (String a :
        new String[] {"daisy or pink primrose or rose", "rose, pink primrose", "pink primrose; daisy",
          "rose | pink primrose", "pink primrose and daisy"}) {
      String c = "<answer>" + a + "</answer>";
      assertEquals(1.0, f(c, gt), a);
      assertEquals(0.0, g(c, gt), a);
    }
    // Separators that are part of the class name are not a list.
    assertEquals(1.0, g("<answer>F/A-18</answer>", "<answer>F/A-18</answer>"));
    assertEquals(1.0, g("<answer>Ram C/V Cargo Van</answer>", "<answer>Ram C/V Cargo Van Minivan 2012</answer>"));
    assertEquals(1.0, g("<answer>bird of paradise</answer>", "<answer>bird of paradise</answer>"));
    assertEquals(1.0, g("<answer>salt and pepper</answer>", "<answer>salt and pepper</answer>"));
  }

  @Test
  void multiLineAnswerExploit() {
    // Faithful: no single-line match, so the whole completion (with the reasoning naming the class)
    // is compared. Guarded: the answer itself is read.
    String c = "<think>pink primrose or sweet pea?</think>\n<answer>\nsweet pea\n</answer>";
    assertEquals(1.0, f(c, "<answer>pink primrose</answer>"));
    assertEquals(0.0, g(c, "<answer>pink primrose</answer>"));
    assertEquals(1.0, g(c, "<answer>sweet pea</answer>"));
  }

  @Test
  void evaluationParserHelpers() {
    assertNull(ClassAnswerParser.answerOrNull("<answer>\nx</answer>"));
    assertEquals(" x ", ClassAnswerParser.answerOrNull("a<answer> x </answer><answer>y</answer>"));
    assertTrue(ClassAnswerParser.exactMatch("american_bulldog", "American Bulldog"));
    assertFalse(ClassAnswerParser.exactMatch("american_bulldog", "bulldog"));
    assertTrue(ClassAnswerParser.substringMatch("american_bulldog", "bulldog"));
  }
}
