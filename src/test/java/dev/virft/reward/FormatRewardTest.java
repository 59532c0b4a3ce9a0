package dev.virft.reward;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Spec §0 format reward: re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", c, re.DOTALL). */
class FormatRewardTest {
  @Test
  void exactShapeMatches() {
    assertTrue(FormatReward.matches("<think>a</think><answer>b</answer>"));
    assertTrue(FormatReward.matches("<think></think> \n\t<answer></answer>"));
    assertTrue(FormatReward.matches("<think>line1\nline2</think>\n<answer>\nx\n</answer>"));
  }

  @Test
  void nothingBeforeOrAfterNotEvenWhitespace() {
    assertFalse(FormatReward.matches(" <think>a</think><answer>b</answer>"));
    assertFalse(FormatReward.matches("<think>a</think><answer>b</answer>\n"));
    assertFalse(FormatReward.matches("<think>a</think>x<answer>b</answer>"));
    assertFalse(FormatReward.matches("<answer>b</answer>"));
    assertFalse(FormatReward.matches("<think>a</think>"));
  }

  @Test
  void whitespaceIsPythonsUnicodeWhitespace() {
    assertTrue(FormatReward.matches("<think>a</think>\u00a0\u2028\u3000\u001c<answer>b</answer>"));
    assertFalse(FormatReward.matches("<think>a</think>\u200b<answer>b</answer>")); // zero-width: not \s
  }

  @Test
  void backtrackingAcrossRepeatedTags() {
    assertTrue(FormatReward.matches("<think>a</think>x</think> <answer>b</answer>"));
    assertTrue(FormatReward.matches("<think>a</think><answer>b</answer><answer>c</answer>"));
    assertFalse(FormatReward.matches("<think></think><answer></answer"));
    assertFalse(FormatReward.matches("<think</think><answer></answer>"));
    assertTrue(FormatReward.matches("<think></think><answer></answer></answer>"));
  }
}
