package dev.virft.reward;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1 MB adversarial completions: every reward finishes, within bounds, and its time grows about
 * linearly from 10 KB to 1 MB: one 1 MB call against a hundred 10 KB calls (same bytes), failing
 * above 30x where quadratic work would be 100x. Relative, never an absolute budget. (From 100 KB the
 * quadratic signal, 10x, is no larger than the cache and allocation cost of 1 MB strings on a busy
 * 2-core box.)
 */
class RewardScalingTest {
  static final String SOLUTION_DET = "<answer>[{'Position': [64, 0, 950, 411], 'Confidence': 1}]</answer>";
  static final String SOLUTION_CLS = "<answer>pink primrose</answer>";
  static final String SOLUTION_LISA = "<answer> (100,200),(300,400) </answer>";

  static Map<String, IntFunction<String>> shapes() {
    Map<String, IntFunction<String>> m = new LinkedHashMap<>();
    m.put("open tags", n -> "<answer>".repeat(n / 8));
    m.put("open tag per line", n -> "<answer>x\n".repeat(n / 10) + "</answer>");
    m.put("think/answer pairs", n -> "<think>" + "</think> <answer>".repeat(n / 17) + "</answer> x");
    m.put("whitespace runs", n -> "<think>a</think>" + " ".repeat(n) + "<answer>b</answer>" + " or ".repeat(n / 8));
    m.put("many boxes", n -> "<answer>[" + "{'Position': [64, 0, 950, 411], 'Confidence': 0.5}, ".repeat(n / 52) + "</answer>");
    m.put("distinct boxes", n -> {
      StringBuilder b = new StringBuilder("<answer>[");
      for (int i = 0; b.length() < n; i++) {
        b.append("{'Position': [").append(i % 1000).append(", ").append(i / 1000).append(", 950, 411], 'Confidence': ")
            .append(i % 7 == 0 ? "NaN" : "0." + (i % 97)).append("}, ");
      }
      return b.append("{}]</answer>").toString();
    });
    m.put("nested brackets", n -> "<answer>" + "[".repeat(n) + "</answer>");
    m.put("digits", n -> "<answer>(" + "7".repeat(n) + "</answer>");
    m.put("lisa boxes", n -> "<answer>" + "( 1 , 2 ) , ( 3 , 4 ),".repeat(n / 22) + "</answer>");
    m.put("separators", n -> "<answer>pink primrose" + ", rose".repeat(n / 6) + "</answer>");
    m.put("quotes and braces", n -> "<answer>[{'" + "},'".repeat(n / 3));
    return m;
  }

  /** Best of two timings of {@code times} consecutive calls. */
  static long bestNanos(String completion, Reward r, String solution, int times) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 2; i++) {
      long t = System.nanoTime();
      for (int k = 0; k < times; k++) {
        double v = r.score(completion, solution, Map.of());
        assertTrue(Double.isNaN(v) || (v >= r.minScore() && v <= r.maxScore()), r.name() + "=" + v);
      }
      best = Math.min(best, System.nanoTime() - t);
    }
    return best;
  }

  @Test
  // A quadratic regression takes minutes at 1 MB: fail it instead of hanging the build.
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void everyRewardScalesLinearlyOnAdversarialInput() {
    List<Reward> rewards = RewardPropertiesTest.REWARDS;
    StringBuilder failures = new StringBuilder();
    for (Map.Entry<String, IntFunction<String>> shape : shapes().entrySet()) {
      String small = shape.getValue().apply(10_000);
      String large = shape.getValue().apply(1_000_000);
      for (Reward r : rewards) {
        String sol = r.name().startsWith("accuracy_cls") ? SOLUTION_CLS
            : r.name().startsWith("accuracy_lisa") ? SOLUTION_LISA : SOLUTION_DET;
        // A hundred 10 KB calls process as many bytes as one 1 MB call: about 1x if linear (a few x
        // more from 1 MB strings falling out of cache), 100x if quadratic.
        long tSmall = 0;
        long tLarge = 0;
        double ratio = Double.POSITIVE_INFINITY;
        // A pair over the bound is measured again (up to three times in all): on a shared box a GC
        // pause or a neighbour's burst can land in the one 1 MB call; a quadratic cost stays over it.
        for (int attempt = 0; attempt < 3 && ratio > 30; attempt++) {
          tSmall = Math.max(bestNanos(small, r, sol, 100), 1_000_000); // floor: timer noise
          tLarge = bestNanos(large, r, sol, 1);
          ratio = (double) tLarge / tSmall;
        }
        if (ratio > 30) {
          failures.append(String.format("%s / %s: %.1fx (100 x 10 KB: %d us, 1 MB: %d us)%n",
              shape.getKey(), r.name(), ratio, tSmall / 1000, tLarge / 1000));
        }
      }
    }
    assertTrue(failures.length() == 0, "super-linear:\n" + failures);
  }
}
