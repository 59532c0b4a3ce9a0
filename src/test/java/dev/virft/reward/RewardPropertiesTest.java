package dev.virft.reward;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * Random and adversarial completions through every reward, faithful and guarded: nothing escapes, and
 * every value lies within the reward's declared bounds. The only NaN allowed is the one the original
 * itself returns (faithful accuracy_confidence with a NaN confidence, faithful accuracy_lisa with
 * 300-digit coordinates).
 */
class RewardPropertiesTest {
  static final String[] SOLUTIONS = {
    "<answer>[{'Position': [64, 0, 950, 411], 'Confidence': 1}]</answer>",
    "<answer>[{'Position': [10, 10, 200, 200], 'Confidence': 1}, {'Position': [150, 150, 400, 300], 'Confidence': 1}]</answer>",
    "<answer>pink primrose</answer>",
    "<answer> (100,200),(300,400) </answer>",
  };

  static final List<Reward> REWARDS = allRewards();

  static List<Reward> allRewards() {
    List<Reward> out = new ArrayList<>();
    for (Reward r : RewardRegistry.builtIn().names().stream()
        .map(n -> RewardRegistry.builtIn().get(n, null)).toList()) {
      out.add(r);
      r.guarded().ifPresent(out::add);
    }
    return out;
  }

  static void checkAll(String completion) {
    for (String solution : SOLUTIONS) {
      for (Reward r : REWARDS) {
        double v = r.score(completion, solution, Map.of());
        boolean nanAllowed =
            !r.name().endsWith(RewardRegistry.GUARDED_SUFFIX)
                && (r.name().equals(DetectionConfidenceReward.NAME)
                    || r.name().equals(LisaAccuracyReward.NAME));
        if (Double.isNaN(v)) {
          assertTrue(nanAllowed, r.name() + " returned NaN");
        } else {
          assertTrue(v >= r.minScore() && v <= r.maxScore(), r.name() + " = " + v + " out of bounds");
        }
        // the solution may itself be arbitrary text
        double w = r.score(solution, completion, Map.of());
        assertTrue(Double.isNaN(w) ? nanAllowed : w >= r.minScore() && w <= r.maxScore(), r.name());
      }
    }
  }

  @Property(tries = 150)
  void anyUnicodeString(@ForAll @StringLength(max = 400) String s) {
    checkAll(s);
  }

  @Property(tries = 300)
  void fragmentSoup(@ForAll("soup") String s) {
    checkAll(s);
  }

  @Property(tries = 150)
  void truncatedAnswers(@ForAll("answers") String answer, @ForAll("cut") double cut) {
    String full = "<think>t</think> <answer>" + answer + "</answer>";
    checkAll(full.substring(0, (int) (cut * full.length())));
    checkAll(answer.substring(0, (int) (cut * answer.length())));
  }

  @Property(tries = 12)
  void deeplyNested(@ForAll("depth") int depth, @ForAll("nest") String open) {
    String close = open.equals("[") ? "]" : open.equals("{'a': ") ? "}" : open.equals("(") ? ")" : "";
    String body = open.repeat(depth) + "1" + close.repeat(depth);
    checkAll("<answer>" + body + "</answer>");
    checkAll("<answer>[{'Position': " + body + ", 'Confidence': " + body + "}]</answer>");
    checkAll(open.repeat(depth));
  }

  @Provide
  Arbitrary<Integer> depth() {
    return Arbitraries.of(10, 999, 1000, 1001, 20_000);
  }

  @Provide
  Arbitrary<String> nest() {
    return Arbitraries.of("[", "[[", "{'a': ", "(", "<answer>", "{");
  }

  @Provide
  Arbitrary<Double> cut() {
    return Arbitraries.doubles().between(0, 1);
  }

  @Provide
  Arbitrary<String> soup() {
    Arbitrary<String> fragment =
        Arbitraries.of(
            "<think>", "</think>", "<answer>", "</answer>", "[", "]", "[[", "]]", "{", "}", "},", "'Position'",
            "'Confidence'", ": ", ", ", "\n", " ", "\u00a0", "\u2028", "'", "\"", "NaN", "Infinity", "-Infinity",
            "+INF", "1e400", "-0", "0.5", "1", "3", "-7", "true", "null", "9".repeat(320), "9".repeat(4301),
            "(", ")", "(1,2),(3,4)", "(١٠٠,٢٠٠),(3,4)", "No Objects", " or ", "pink primrose", ", ...",
            "\ud800", "\udc00", "😀", "\u0000", "\\u0000", "\\", "1.", ".5", "1e", "0x1F");
    return fragment.list().ofMaxSize(60).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<String> answers() {
    Arbitrary<Integer> coord = Arbitraries.integers().between(-50, 1100);
    Arbitrary<String> conf =
        Arbitraries.oneOf(
            Arbitraries.doubles().between(-2, 3).map(d -> String.valueOf(Math.round(d * 100) / 100.0)),
            Arbitraries.of("NaN", "1e308", "-1e308", "'0.9'", "true", "[1]", "1" + "0".repeat(400)));
    Arbitrary<String> box =
        Combinators.combine(coord, coord, coord, coord, conf)
            .as((a, b, c, d, e) -> "{'Position': [" + a + ", " + b + ", " + c + ", " + d + "], 'Confidence': " + e + "}");
    return box.list().ofMaxSize(12).map(l -> "[" + String.join(", ", l) + "]");
  }
}
