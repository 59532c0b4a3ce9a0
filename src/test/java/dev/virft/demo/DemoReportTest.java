package dev.virft.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoReportTest {
  @Test
  void reportIsSelfContainedWithTableCurveAndDrawnBoxes(@TempDir Path dir) throws Exception {
    BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
    DemoReport r =
        new DemoReport("virft demo <seed 1>")
            .metrics(
                List.of(
                    DemoMetrics.detection("base", 0.1, 0.2, 0.3, 0.5, 40),
                    DemoMetrics.detection("RFT", 0.25, 0.5, 0.45, 1.0, 40)))
            .chart(
                "GRPO reward",
                List.of(
                    new DemoReport.Series(
                        "reward",
                        List.of(new double[] {1, 0.5}, new double[] {2, Double.NaN}, new double[] {3, 1.5}))))
            .example(
                new DemoReport.Example(
                    img,
                    "red circle",
                    List.of(new DemoReport.Box(10, 10, 50, 50)),
                    Map.of("RFT", List.of(new DemoReport.Box(12, 12, 48, 52)))));
    Path out = dir.resolve("report.html");
    r.write(out);
    String html = Files.readString(out);
    assertTrue(html.contains("virft demo &lt;seed 1&gt;"));
    assertTrue(html.contains("<td>0.2500</td>"));
    // the NaN point is dropped: two points in the polyline
    Matcher pl = Pattern.compile("points=\"([^\"]*)\"").matcher(html);
    assertTrue(pl.find());
    assertEquals(2, pl.group(1).split(" ").length);
    assertFalse(html.contains("http://") && html.contains("src=\"http"), "no external resource");
    Matcher m = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)").matcher(html);
    assertTrue(m.find());
    BufferedImage drawn = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
    assertEquals(336, drawn.getWidth());
    // the ground-truth box edge is drawn in green on the black image (scaled 3x: x = 30)
    int rgb = drawn.getRGB(30, 90) & 0xFFFFFF;
    assertEquals(0x00B050, rgb);
  }

  @Test
  void tableFlagsNonFiniteMetrics() {
    assertTrue(DemoMetrics.detection("SFT", 0, 0, 0, 0, 1).allFinite());
    assertFalse(DemoMetrics.detection("SFT", Double.NaN, 0, 0, 0, 1).allFinite());
    assertFalse(DemoMetrics.classification("SFT", 0.5, Double.POSITIVE_INFINITY, 1).allFinite());
    String t = DemoMetrics.table(List.of(DemoMetrics.detection("SFT", 0.12345, 0.5, 0.25, 1, 8)));
    assertTrue(t.contains("SFT"));
    assertTrue(t.contains("0.1235") || t.contains("0.1234"));
  }

  @Test
  void stepAxisHasIntegerTicksOnly() {
    assertEquals(List.of(1L, 2L, 3L), DemoReport.integerTicks(1, 3));
    assertEquals(List.of(1L, 10L, 20L, 30L, 40L), DemoReport.integerTicks(1, 40));
    assertEquals(List.of(1L, 20L, 40L, 60L, 80L, 100L), DemoReport.integerTicks(1, 100));
    String svg =
        DemoReport.svg(List.of(new DemoReport.Series("r", List.of(new double[] {1, 0}, new double[] {4, 1}))));
    Matcher m = Pattern.compile("text-anchor=\"middle\">([^<]+)</text>").matcher(svg);
    List<String> ticks = new java.util.ArrayList<>();
    while (m.find()) ticks.add(m.group(1));
    assertEquals(List.of("1", "2", "3", "4"), ticks.subList(0, 4), svg);
  }

  @Test
  void meanStdIsOverSeeds() {
    double[][] ms =
        DemoMetrics.meanStd(
            List.of(DemoMetrics.classification("RFT", 0.5, 1, 4), DemoMetrics.classification("RFT", 0.7, 1, 4)));
    assertEquals(0.6, ms[0][0], 1e-12);
    assertEquals(0.1, ms[1][0], 1e-12);
    assertEquals(0.0, ms[1][1], 1e-12);
  }
}
