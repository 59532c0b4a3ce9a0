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

    assertEquals(List.of("base", "SFT", "RFT"), o.metrics().stream().map(DemoMetrics::model).toList());
    for (DemoMetrics m : o.metrics()) {
      assertTrue(m.allFinite(), m.toString());
      assertTrue(m.map() >= 0 && m.map() <= 1, m.toString());
      assertTrue(m.meanIouReward() >= 0 && m.meanIouReward() <= 1, m.toString());
      assertEquals(9 * s.testPerCategory, m.prompts());
    }
    assertTrue(printed.contains("IoU-reward"), printed);
    String html = Files.readString(o.report());
    assertTrue(html.contains("<td>RFT</td>"), "metrics table in the report");
    Matcher curve = Pattern.compile("<polyline[^>]*points=\"([^\"]+)\"").matcher(html);
    assertTrue(curve.find(), "reward curve in the report");
    assertEquals(s.grpoSteps, curve.group(1).trim().split(" ").length, "one point per GRPO step");
    assertTrue(html.contains("data:image/png;base64,"), "test images in the report");
    assertTrue(Files.isRegularFile(s.output.resolve("work/rft/checkpoint-" + s.grpoSteps + "/model.safetensors")));
    assertTrue(Files.isRegularFile(s.output.resolve("work/sft/checkpoint-" + s.sftSteps + "/model.safetensors")));
  }
}
