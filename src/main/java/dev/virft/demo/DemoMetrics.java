package dev.virft.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One row of a demo table: a model evaluated on held-out images of one task family.
 *
 * <p>Detection columns: COCO mAP (IoU 0.50:0.95) and AP50 over the asked categories, the mean of the
 * original's {@code accuracy_iou} reward, the format rate. Classification columns: accuracy (the
 * original's {@code accuracy} reward: normalised bidirectional substring match) and format rate.
 *
 * @param task "detection" or "classification"
 * @param model "base", "SFT" or "RFT"
 * @param columns metric names, in table order
 * @param values one per column
 * @param prompts number of prompts evaluated
 */
public record DemoMetrics(String task, String model, List<String> columns, double[] values, int prompts) {
  public static final List<String> DETECTION_COLUMNS = List.of("mAP", "AP50", "IoU reward", "format");
  public static final List<String> CLASSIFICATION_COLUMNS = List.of("accuracy", "format");

  public DemoMetrics {
    if (columns.size() != values.length) throw new IllegalArgumentException("one value per column");
    columns = List.copyOf(columns);
    values = values.clone();
  }

  public static DemoMetrics detection(String model, double map, double map50, double iou, double format, int prompts) {
    return new DemoMetrics("detection", model, DETECTION_COLUMNS, new double[] {map, map50, iou, format}, prompts);
  }

  public static DemoMetrics classification(String model, double accuracy, double format, int prompts) {
    return new DemoMetrics("classification", model, CLASSIFICATION_COLUMNS, new double[] {accuracy, format}, prompts);
  }

  public double get(String column) {
    int i = columns.indexOf(column);
    if (i < 0) throw new IllegalArgumentException(task + " has no metric " + column);
    return values[i];
  }

  public double map() {
    return get("mAP");
  }

  public double map50() {
    return get("AP50");
  }

  public double meanIouReward() {
    return get("IoU reward");
  }

  public double accuracy() {
    return get("accuracy");
  }

  public double formatRate() {
    return get("format");
  }

  public boolean allFinite() {
    for (double v : values) if (!Double.isFinite(v)) return false;
    return true;
  }

  /** The fixed-width table printed by {@code virft demo} (rows of one task). */
  public static String table(List<DemoMetrics> rows) {
    if (rows.isEmpty()) return "";
    int width = Math.max(6, rows.stream().mapToInt(m -> m.model().length()).max().orElse(0));
    String name = "%-" + width + "s";
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, name, "model"));
    for (String c : rows.get(0).columns()) sb.append(String.format(Locale.ROOT, " %10s", c));
    sb.append(String.format(Locale.ROOT, " %8s%n", "prompts"));
    for (DemoMetrics m : rows) {
      sb.append(String.format(Locale.ROOT, name, m.model()));
      for (double v : m.values()) sb.append(String.format(Locale.ROOT, " %10.4f", v));
      sb.append(String.format(Locale.ROOT, " %8d%n", m.prompts()));
    }
    return sb.toString();
  }

  /** Mean and population standard deviation of each column over runs (seeds) of the same model. */
  public static double[][] meanStd(List<DemoMetrics> runs) {
    int k = runs.get(0).values().length;
    double[][] out = new double[2][k];
    for (int j = 0; j < k; j++) {
      List<Double> xs = new ArrayList<>();
      for (DemoMetrics m : runs) xs.add(m.values()[j]);
      double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double var = xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).average().orElse(Double.NaN);
      out[0][j] = mean;
      out[1][j] = Math.sqrt(var);
    }
    return out;
  }
}
