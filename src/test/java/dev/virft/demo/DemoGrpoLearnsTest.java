package dev.virft.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.virft.data.Sample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few GRPO steps (the demo's settings, the original's classification rewards) on the demo's few-shot
 * split raise the reward on that split: the greedy answers of the trained model score higher than the
 * shipped base's on the same training rows. Fails if the policy gradient does not move the model
 * towards rewarded answers (wrong advantage sign, no update, rewards not reaching the trainer).
 */
class DemoGrpoLearnsTest {
  static final int STEPS = 8;

  @Test
  void fewGrpoStepsRaiseTheTrainingReward(@TempDir Path dir) {
    assumeTrue(DemoBaseCheckpoint.shipped(), "needs the shipped base checkpoint");
    Path base = DemoBaseCheckpoint.extract(dir.resolve("base"));
    DemoRunner.Settings s = DemoRunner.Settings.defaults();
    DemoData.Kind kind = DemoData.Kind.CLASSIFICATION;
    DemoRunner.Arm arm = s.arm(kind);
    arm.grpoSteps = STEPS;
    List<Sample> train = new ArrayList<>();
    for (Sample r : DemoData.fewShot(kind, 1, s.shots)) train.add(DemoData.withReasoning(r));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Path rft = new DemoRunner(s, quiet).grpo(kind, arm, 1, base, train, dir.resolve("rft"));

    DemoEvaluator ev = new DemoEvaluator(s.evalBatch, arm.maxCompletionLength);
    double before = reward(ev.evaluate(kind, "base", base, train, null).metrics());
    double after = reward(ev.evaluate(kind, "RFT", rft, train, null).metrics());
    List<double[]> curve = DemoRunner.curve(dir.resolve("rft"), "reward");
    assertTrue(
        after > before + 0.1,
        "greedy reward on the few-shot rows: base " + before + ", after " + STEPS + " GRPO steps " + after
            + "; logged rewards " + curve.stream().map(p -> String.format("%.2f", p[1])).toList());
  }

  /** The classification reward the trainer maximises: accuracy + format (max 2). */
  private static double reward(DemoMetrics m) {
    return m.accuracy() + m.formatRate();
  }
}
