package dev.virft.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.util.VirftException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Names, the per-task `accuracy` alias, presets, weights, @guarded and ServiceLoader plug-ins. */
class RewardSelectionTest {
  static final RewardRegistry REGISTRY = RewardRegistry.standard();
  static final String GT = "<answer>[{'Position': [64, 0, 950, 411], 'Confidence': 1}]</answer>";
  static final String GOOD = "<think>x</think> <answer>[{'Position': [64, 0, 950, 411], 'Confidence': 0.9}]</answer>";

  @Test
  void presetsAreTheOriginalSets() {
    assertEquals(List.of("accuracy_iou", "accuracy_confidence", "format"),
        RewardSelection.preset(Task.DETECTION).names());
    assertEquals(List.of("accuracy_cls", "format"), RewardSelection.preset(Task.CLASSIFICATION).names());
    assertEquals(List.of("accuracy_lisa", "format"), RewardSelection.preset(Task.GROUNDING).names());
    RewardScores s = RewardSelection.preset(Task.DETECTION).score(GOOD, GT, Map.of());
    assertEquals(1.0 + 0.9 + 1.0, s.total()); // unweighted sum, max 3
  }

  @Test
  void accuracyResolvesByTask() {
    assertEquals(List.of("accuracy_cls", "format"),
        RewardSelection.parse("accuracy,format", Task.CLASSIFICATION, REGISTRY).names());
    assertEquals(List.of("accuracy_lisa", "format"),
        RewardSelection.parse("accuracy format", Task.GROUNDING, REGISTRY).names()); // TRL's list form
    VirftException e = assertThrows(VirftException.class,
        () -> RewardSelection.parse("accuracy,format", null, REGISTRY));
    assertTrue(e.getMessage().contains("accuracy_cls"), e.getMessage());
    assertThrows(VirftException.class, () -> RewardSelection.parse("accuracy", Task.DETECTION, REGISTRY));
  }

  @Test
  void weightsCombine() {
    RewardSelection sel = RewardSelection.parse("accuracy_iou:1.0,format:0.5", null, REGISTRY);
    RewardScores s = sel.score(GOOD, GT, Map.of());
    assertEquals(Map.of("accuracy_iou", 1.0, "format", 1.0), s.asMap());
    assertEquals(1.5, s.total());
    assertEquals(2.0 * 1.0 + 2.0 * 0.9 + 2.0 * 1.0,
        RewardSelection.parse("detection:2", null, REGISTRY).score(GOOD, GT, Map.of()).total(), 1e-15);
  }

  @Test
  void guardedSuffixSelectsTheGuardedVariant() {
    RewardSelection sel = RewardSelection.parse("classification@guarded", null, REGISTRY);
    assertEquals(List.of("accuracy_cls@guarded", "format"), sel.names()); // format has no exploit to close
    String empty = "<think>x</think><answer></answer>";
    assertEquals(1.0, sel.score(empty, "<answer>rose</answer>", Map.of()).total());
    assertEquals(2.0, RewardSelection.preset(Task.CLASSIFICATION).score(empty, "<answer>rose</answer>", Map.of()).total());
    assertEquals("accuracy_iou@guarded", REGISTRY.get("accuracy_iou@guarded", null).name());
    assertThrows(VirftException.class, () -> REGISTRY.get("format@guarded", null));
  }

  @Test
  void badSpecsAreClearErrors() {
    assertTrue(assertThrows(VirftException.class, () -> RewardSelection.parse("acuracy_iou", null, REGISTRY))
        .getMessage().contains("unknown reward 'acuracy_iou'"));
    assertTrue(assertThrows(VirftException.class, () -> RewardSelection.parse("format:x", null, REGISTRY))
        .getMessage().contains("weight of 'format:x'"));
    assertTrue(assertThrows(VirftException.class, () -> RewardSelection.parse("format,format", null, REGISTRY))
        .getMessage().contains("selected twice"));
    assertThrows(VirftException.class, () -> RewardSelection.parse(" ", null, REGISTRY));
  }

  @Test
  void pluginsAreDiscoveredThroughServiceLoader() {
    assertTrue(REGISTRY.names().contains("test_length_penalty"), REGISTRY.names().toString());
    assertTrue(!RewardRegistry.builtIn().names().contains("test_length_penalty"));
    RewardSelection sel = RewardSelection.parse("detection,test_length_penalty:0.5", null, REGISTRY);
    RewardScores s = sel.score(GOOD, GT, Map.of("max_chars", 10)); // other columns reach the reward
    assertEquals(-1.0, s.values()[3]);
    assertEquals(1.0 + 0.9 + 1.0 - 0.5, s.total(), 1e-15);
  }

  @Test
  void pluginNamesMustBeValidAndNew() {
    RewardRegistry r = RewardRegistry.builtIn();
    assertThrows(VirftException.class, () -> r.register(new FormatReward()));
    assertThrows(VirftException.class, () -> r.register(named("accuracy")));
    assertThrows(VirftException.class, () -> r.register(named("detection")));
    assertThrows(VirftException.class, () -> r.register(named("a,b")));
    r.register(named("mine"));
    assertEquals("mine", r.get("mine", null).name());
  }

  private static Reward named(String name) {
    return new Reward() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public double score(String completion, String solution, Map<String, ?> columns) {
        return 0;
      }

      @Override
      public double minScore() {
        return 0;
      }

      @Override
      public double maxScore() {
        return 0;
      }
    };
  }
}
