package dev.virft.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The detection rules of spec §1.1, one test each, with values the original Python code returns
 * (computed in CPython 3.11 from grpo.py's functions).
 */
class DetectionRewardTest {
  static final String GT = "<answer>[{'Position': [64, 0, 950, 411], 'Confidence': 1}]</answer>";
  static final String BOX = "{'Position': [64, 0, 950, 411], 'Confidence': 0.9}";

  static double iou(String completion, String solution) {
    return new DetectionIouReward().score(completion, solution, Map.of());
  }

  static double conf(String completion, String solution) {
    return new DetectionConfidenceReward().score(completion, solution, Map.of());
  }

  static double iouG(String completion, String solution) {
    return new DetectionIouReward().guarded().orElseThrow().score(completion, solution, Map.of());
  }

  static double confG(String completion, String solution) {
    return new DetectionConfidenceReward().guarded().orElseThrow().score(completion, solution, Map.of());
  }

  @Test
  void specExampleScoresFullIouAndItsConfidence() {
    String c = "<think>one bus</think> <answer>[" + BOX + "]</answer>";
    assertEquals(1.0, iou(c, GT));
    assertEquals(0.9, conf(c, GT));
    assertEquals(1.0, new FormatReward().score(c, GT, Map.of()));
  }

  @Test
  void answerSpanningLinesIsNotFoundWithoutDotall() {
    String c = "<think>a</think>\n<answer>[{'Position': [64, 0, 950, 411],\n'Confidence': 0.9}]</answer>";
    assertEquals(0.0, iou(c, GT));
    assertEquals(0.0, conf(c, GT));
  }

  @Test
  void doubleBracketsAreRepairedAfterTheRegex() {
    String c = "<think>a</think><answer>[[" + BOX + "]]</answer>";
    assertEquals(1.0, iou(c, GT));
    assertEquals(0.9, conf(c, GT));
    assertEquals(
        "<answer>[{'Position': [1, 2, 3, 4]}]</answer>",
        DetectionAnswerParser.trainingAnswer("<think>a\nb</think><answer>[[{'Position': [1, 2, 3, 4]}]]</answer>", false));
    // Without a match the whole completion is wrapped; its newlines are removed afterwards.
    assertEquals(
        "<answer><answer>[{'Position': [1, 2]}]</answer></answer>",
        DetectionAnswerParser.trainingAnswer("<answer>[[{'Position': [1, 2]}]]\n</answer>", false));
  }

  @Test
  void truncatedJsonIsCutAtTheLastCompleteBox() {
    // Only a bare answer benefits: with tags, the whole completion is wrapped and fails to parse.
    String bare = "[" + BOX + ", {'Position': [10, 10, 20";
    assertEquals(1.0, iou(bare, GT));
    assertEquals(0.9, conf(bare, GT));
    String tagged = "<think>a</think><answer>[" + BOX + ", {'Position': [10, 10, 20";
    assertEquals(0.0, iou(tagged, GT));
    String trailingComma = "<answer>[" + BOX + ", {'Position': [1, 2, 3, 4], 'Confidence': 0.1}, </answer>";
    assertEquals(0.5, iou(trailingComma, GT));
    assertEquals(0.9, conf(trailingComma, GT));
  }

  @Test
  void extractBboxFollowsTheOriginalStringSteps() {
    assertEquals(null, DetectionAnswerParser.extractBbox("no tag"));
    assertEquals(null, DetectionAnswerParser.extractBbox("</answer><answer>[1]")); // end before start
    assertEquals(java.util.List.of(java.math.BigInteger.ONE), DetectionAnswerParser.extractBbox("<answer>[1]"));
    assertEquals(
        java.util.List.of(Map.of("a", java.math.BigInteger.TWO)),
        DetectionAnswerParser.extractBbox("<answer>[{'a': 2}, {'b"));
    assertEquals(null, DetectionAnswerParser.extractBbox("<answer>null</answer>x]"));
  }

  @Test
  void duplicatePositionsAreDroppedIncludingIntFloatEquality() {
    String c =
        "<answer>[" + BOX + ", {'Position': [64.0, 0, 950, 411], 'Confidence': 0.3}]</answer>";
    assertEquals(1.0, iou(c, GT));
    assertEquals(0.9, conf(c, GT));
  }

  @Test
  void predictionsAreMatchedInDescendingConfidence() {
    String c =
        "<answer>[{'Position': [64, 0, 700, 411], 'Confidence': 0.5}, "
            + "{'Position': [64, 0, 950, 411], 'Confidence': 0.8}]</answer>";
    assertEquals(0.5, iou(c, GT)); // the exact box takes the GT; the other scores 0, ÷ 2
    assertEquals(0.65, conf(c, GT)); // (0.8 + (1 - 0.5)) / 2
  }

  @Test
  void iouOfExactlyHalfIsNotAMatch() {
    String gt = "<answer>[{'Position': [0, 0, 100, 100], 'Confidence': 1}]</answer>";
    String c = "<answer>[{'Position': [0, 0, 100, 50], 'Confidence': 0.9}]</answer>";
    assertEquals(0.0, iou(c, gt));
    assertEquals(0.09999999999999998, conf(c, gt)); // 1 - 0.9
    assertEquals(0.5, DetectionScorer.calculateIou(
        java.util.List.of(java.math.BigInteger.ZERO, java.math.BigInteger.ZERO,
            java.math.BigInteger.valueOf(100), java.math.BigInteger.valueOf(100)),
        java.util.List.of(java.math.BigInteger.ZERO, java.math.BigInteger.ZERO,
            java.math.BigInteger.valueOf(100), java.math.BigInteger.valueOf(50))));
  }

  @Test
  void iouSumIsDividedByTheLargerOfGroundTruthAndPredictionCounts() {
    String gt2 =
        "<answer>[{'Position': [0, 0, 100, 100], 'Confidence': 1}, "
            + "{'Position': [500, 500, 600, 600], 'Confidence': 1}]</answer>";
    String gt1 = "<answer>[{'Position': [0, 0, 100, 100], 'Confidence': 1}]</answer>";
    String one = "<answer>[{'Position': [0, 0, 100, 100], 'Confidence': 0.7}]</answer>";
    String two =
        "<answer>[{'Position': [0, 0, 100, 100], 'Confidence': 0.7}, "
            + "{'Position': [500, 500, 600, 600], 'Confidence': 0.4}]</answer>";
    assertEquals(0.5, iou(one, gt2));
    assertEquals(0.7, conf(one, gt2));
    assertEquals(0.5, iou(two, gt1));
    assertEquals(0.6499999999999999, conf(two, gt1)); // (0.7 + (1 - 0.4)) / 2
  }

  @Test
  void partialOverlapScoresItsIou() {
    String c = "<answer>[{'Position': [64, 0, 900, 400], 'Confidence': 0.75}]</answer>";
    assertEquals(0.91831298435243, iou(c, GT)); // 836*400 / (886*411)
    assertEquals(0.75, conf(c, GT));
  }

  @Test
  void confidenceRewardIsClippedToTheUnitInterval() {
    String over =
        "<answer>[{'Position': [64, 0, 950, 411], 'Confidence': 3}, "
            + "{'Position': [0, 500, 10, 510], 'Confidence': 1}]</answer>";
    assertEquals(1.0, conf(over, GT)); // (3 + 0) / 2 = 1.5, clipped
    String under = "<answer>[{'Position': [0, 500, 10, 510], 'Confidence': 5}]</answer>";
    assertEquals(0.0, conf(under, GT)); // 1 - 5 = -4, clipped
  }

  @Test
  void answersThatAreNotAListOfDictsScoreZero() {
    assertEquals(0.0, iou("<answer>[]</answer>", GT)); // IndexError in the original
    assertEquals(0.0, iou("<answer>No Objects</answer>", GT));
    assertEquals(0.0, iou("<answer>[[1, 2, 3, 4]]</answer>", GT));
    assertEquals(0.0, iou("<answer>{'Position': [64, 0, 950, 411]}</answer>", GT));
    assertEquals(0.0, iou("<answer>[" + BOX + ", 5]</answer>", GT)); // TypeError in remove_duplicates
    assertEquals(0.0, conf("<answer>[{'Position': [64, 0, 950, 411]}]</answer>", GT)); // KeyError
    assertEquals(0.0, iou("<answer>[" + BOX + "]</answer>", "<answer>No Objects</answer>"));
  }

  @Test
  void bareJsonWithoutTagsIsScored() {
    assertEquals(1.0, iou("[" + BOX + "]", GT));
  }

  @Test
  void nanConfidenceMakesTheFaithfulConfidenceRewardNaN() {
    String c = "<answer>[{'Position': [64, 0, 950, 411], 'Confidence': NaN}]</answer>";
    assertEquals(1.0, iou(c, GT));
    assertTrue(Double.isNaN(conf(c, GT)));
    assertEquals(0.0, confG(c, GT));
  }

  // ---- guarded mode: each exploit, faithful vs guarded ----

  @Test
  void guardedParsesAMultiLineAnswer() {
    String c = "<think>a</think>\n<answer>[{'Position': [64, 0, 950, 411],\n'Confidence': 0.9}]</answer>";
    assertEquals(0.0, iou(c, GT));
    assertEquals(1.0, iouG(c, GT));
    assertEquals(0.0, conf(c, GT));
    assertEquals(0.9, confG(c, GT));
  }

  @Test
  void guardedClampsConfidenceAboveOne() {
    // Faithful: one right box at confidence 3 hides a wrong box at confidence 1.
    String c =
        "<answer>[{'Position': [64, 0, 950, 411], 'Confidence': 3}, "
            + "{'Position': [0, 500, 10, 510], 'Confidence': 1}]</answer>";
    assertEquals(1.0, conf(c, GT));
    assertEquals(0.5, confG(c, GT));
    assertEquals(0.5, iou(c, GT));
    assertEquals(0.5, iouG(c, GT));
  }

  @Test
  void guardedClampsNegativeConfidence() {
    String c = "<answer>[{'Position': [0, 500, 10, 510], 'Confidence': -2}]</answer>";
    assertEquals(1.0, conf(c, GT)); // (1 - 0) * (1 - (-2)) = 3, clipped to 1
    assertEquals(1.0, confG(c, GT)); // clamped to 0: 1 - 0 = 1; unmatched at zero confidence is right
    String matched = "<answer>[{'Position': [64, 0, 950, 411], 'Confidence': -2}]</answer>";
    assertEquals(0.0, conf(matched, GT));
    assertEquals(0.0, confG(matched, GT));
  }

  @Test
  void guardedEmptyAnswerIsStillZero() {
    assertEquals(0.0, iou("<answer></answer>", GT));
    assertEquals(0.0, iouG("<answer></answer>", GT));
  }

  // ---- evaluation-side parsing (spec §3.1) ----

  @Test
  void evaluationConvertsToPixelsInTheOriginalOrderOfOperations() {
    DetectionAnswerParser.EvalBoxes r =
        DetectionAnswerParser.parseForEval(
            "<think>a</think>\n<answer>[[{'Position': [64, 0, 950, 411],\n 'Confidence': 0.9}, ...]]</answer>",
            640,
            480);
    assertEquals(1, r.boxes().size());
    assertEquals(false, r.error());
    double[] b = r.boxes().get(0).bbox();
    assertEquals(40.96, b[0]);
    assertEquals(0.0, b[1]);
    assertEquals(567.04, b[2]);
    assertEquals(197.28, b[3]);
    assertEquals(0.9, r.boxes().get(0).score());
    // x / 1000.0 * W, not x * W / 1000: the two differ in the last bit here.
    assertEquals(2.1350000000000002, DetectionAnswerParser.toPixels(
        java.util.List.of(java.math.BigInteger.valueOf(5), java.math.BigInteger.ZERO,
            java.math.BigInteger.TEN, java.math.BigInteger.TEN), 427, 100)[0]);
  }

  @Test
  void evaluationSkipsStringsAndKeepsBoxesBeforeAnError() {
    assertEquals(0, DetectionAnswerParser.parseForEval("<answer>No Objects</answer>", 10, 10).boxes().size());
    assertEquals(false, DetectionAnswerParser.parseForEval("<answer>['a']</answer>", 10, 10).error());
    DetectionAnswerParser.EvalBoxes r =
        DetectionAnswerParser.parseForEval(
            "<answer>[" + BOX + ", {'Position': [1, 2, 3], 'Confidence': 0.5}]</answer>", 1000, 1000);
    assertEquals(1, r.boxes().size());
    assertEquals(true, r.error());
    assertEquals(true, DetectionAnswerParser.parseForEval("<answer>[]</answer>", 10, 10).error());
  }
}
