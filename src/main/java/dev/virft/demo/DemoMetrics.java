package dev.virft.demo;

import java.util.List;
import java.util.Locale;

/**
 * One row of the demo's table: a model evaluated on the held-out synthetic detection images.
 *
 * @param model "base", "SFT" or "RFT"
 * @param map COCO mAP (IoU 0.50:0.95, all areas, 100 detections) over the demo's categories
 * @param map50 COCO AP at IoU 0.50
 * @param meanIouReward mean of the original's {@code accuracy_iou} reward over the test prompts
 * @param formatRate fraction of completions the original's {@code format} reward accepts
 * @param prompts number of (image, category) prompts evaluated
 */
public record DemoMetrics(
    String model, double map, double map50, double meanIouReward, double formatRate, int prompts) {

  public boolean allFinite() {
    return Double.isFinite(map)
        && Double.isFinite(map50)
        && Double.isFinite(meanIouReward)
        && Double.isFinite(formatRate);
  }

  /** The fixed-width table printed at the end of {@code virft demo}. */
  public static String table(List<DemoMetrics> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-6s %8s %8s %10s %8s %8s%n", "model", "mAP", "AP50", "IoU-reward", "format", "prompts"));
    for (DemoMetrics m : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-6s %8.4f %8.4f %10.4f %8.3f %8d%n",
              m.model(),
              m.map(),
              m.map50(),
              m.meanIouReward(),
              m.formatRate(),
              m.prompts()));
    }
    return sb.toString();
  }
}
