package dev.virft.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.model.QwenVLConfig;
import dev.virft.model.QwenVLModel;
import dev.virft.tensor.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shortened demo end to end, as CI runs it: base eval, GRPO, SFT, evals, table, report. */
class DemoQuickTest {
  @Test
  void quickDemoWritesReportWithFiniteMetrics(@TempDir Path dir) throws Exception {
    DemoRunner.Settings s = DemoRunner.Settings.defaults().quick();
    s.output = dir.resolve("out");
    if (!DemoBaseCheckpoint.shipped()) {
      // Without the shipped weights the pipeline still runs, from a random-init tiny model.
      Path base = dir.resolve("random-base");
      Path assets = dir.resolve("assets");
      Files.createDirectories(assets);
      DemoAssets.writeAll(assets);
      try (QwenVLModel m = QwenVLModel.randomInit(QwenVLConfig.read(assets), Device.CPU, 3)) {
        m.save(base);
      }
      for (String f : DemoSft.CHECKPOINT_FILES) Files.copy(assets.resolve(f), base.resolve(f));
      s.base = base;
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    DemoRunner.Outcome o = new DemoRunner(s, new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
    String printed = buf.toString(StandardCharsets.UTF_8);

    assertEquals(
        List.of("detection base", "detection SFT", "detection RFT", "classification base", "classification SFT",
            "classification RFT"),
        o.metrics().stream().map(m -> m.task() + " " + m.model()).toList());
    for (DemoMetrics m : o.metrics()) {
      assertTrue(m.allFinite(), m.toString());
      for (double v : m.values()) assertTrue(v >= 0 && v <= 1, m.task() + " " + m.model() + " " + v);
      assertEquals(DemoData.categories().size() * s.testPerCategory, m.prompts(), "held-out rows of all 12 categories");
    }
    assertTrue(printed.contains("IoU reward") && printed.contains("accuracy"), printed);
    assertTrue(printed.contains("RFT (few-shot cats)") && printed.contains("SFT (other cats)"), "by-category rows: " + printed);
    String html = Files.readString(o.report());
    assertTrue(html.contains("<td>RFT</td>"), "metrics table in the report");
    assertTrue(html.contains("<h2>Detection</h2>") && html.contains("<h2>Classification</h2>"), "a section per task");
    Matcher curve = Pattern.compile("<polyline[^>]*points=\"([^\"]+)\"").matcher(html);
    assertTrue(curve.find(), "reward curve in the report");
    int steps = s.arm(DemoData.Kind.DETECTION).grpoSteps;
    assertEquals(steps, curve.group(1).trim().split(" ").length, "one point per GRPO step");
    assertTrue(html.contains("data:image/png;base64,"), "test images in the report");
    for (DemoData.Kind kind : DemoData.Kind.values()) {
      DemoRunner.Arm a = s.arm(kind);
      Path kd = s.output.resolve("work/seed1/" + kind.label());
      assertTrue(Files.isRegularFile(kd.resolve("rft/checkpoint-" + a.grpoSteps + "/model.safetensors")));
      assertTrue(Files.isRegularFile(kd.resolve("sft/checkpoint-" + a.sftSteps + "/model.safetensors")));
    }
  }
}
