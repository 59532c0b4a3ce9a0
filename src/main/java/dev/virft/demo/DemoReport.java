package dev.virft.demo;

import dev.virft.util.AtomicFiles;
import dev.virft.util.VirftException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The demo's self-contained HTML report: the metrics table, training curves drawn as inline SVG, and a
 * few test images with the boxes each model drew (PNG, base64). No script, no external resource.
 */
public final class DemoReport {
  /** A named curve, e.g. the GRPO mean reward per step. */
  public record Series(String name, List<double[]> points) {}

  /** A box in pixels of the test image. */
  public record Box(double x1, double y1, double x2, double y2) {}

  /** One test prompt: the image, its category, the true boxes and each model's boxes. */
  public record Example(
      BufferedImage image, String category, List<Box> truth, Map<String, List<Box>> predictions) {}

  private static final Color[] MODEL_COLORS = {
    new Color(0xE6, 0x9F, 0x00), new Color(0x00, 0x72, 0xB2), new Color(0xD5, 0x5E, 0x00),
    new Color(0xCC, 0x79, 0xA7)
  };
  private static final String[] SVG_COLORS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7"};

  private final String title;
  private final List<String> notes = new ArrayList<>();
  private final List<DemoMetrics> metrics = new ArrayList<>();
  private final Map<String, List<Series>> charts = new LinkedHashMap<>();
  private final List<Example> examples = new ArrayList<>();

  public DemoReport(String title) {
    this.title = title;
  }

  public DemoReport note(String line) {
    notes.add(line);
    return this;
  }

  public DemoReport metrics(List<DemoMetrics> rows) {
    metrics.addAll(rows);
    return this;
  }

  public DemoReport chart(String chartTitle, List<Series> series) {
    charts.put(chartTitle, series);
    return this;
  }

  public DemoReport example(Example e) {
    examples.add(e);
    return this;
  }

  public void write(Path file) {
    AtomicFiles.writeString(file, html());
  }

  String html() {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
        .append(esc(title))
        .append("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;")
        .append("text-align:right}th{background:#eee}.ex{display:inline-block;margin:6px;")
        .append("vertical-align:top;font-size:13px}</style></head><body>\n<h1>")
        .append(esc(title))
        .append("</h1>\n");
    for (String n : notes) h.append("<p>").append(esc(n)).append("</p>\n");
    h.append("<h2>Metrics on the held-out test images</h2>\n<table><tr><th>model</th><th>mAP")
        .append("</th><th>AP50</th><th>mean IoU reward</th><th>format rate</th><th>prompts</th></tr>\n");
    for (DemoMetrics m : metrics) {
      h.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%s</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.3f</td><td>%d</td></tr>%n",
              esc(m.model()),
              m.map(),
              m.map50(),
              m.meanIouReward(),
              m.formatRate(),
              m.prompts()));
    }
    h.append("</table>\n");
    for (Map.Entry<String, List<Series>> c : charts.entrySet()) {
      h.append("<h2>").append(esc(c.getKey())).append("</h2>\n").append(svg(c.getValue()));
    }
    if (!examples.isEmpty()) {
      h.append("<h2>Test images</h2>\n<p>Green: ground truth. ");
      List<String> models = modelsOf(examples);
      for (int i = 0; i < models.size(); i++) {
        Color c = MODEL_COLORS[i % MODEL_COLORS.length];
        h.append(String.format("<span style=\"color:#%06X\">&#9632; %s</span> ", c.getRGB() & 0xFFFFFF, esc(models.get(i))));
      }
      h.append("</p>\n");
      for (Example e : examples) {
        h.append("<div class=\"ex\"><img src=\"data:image/png;base64,")
            .append(Base64.getEncoder().encodeToString(png(draw(e, models))))
            .append("\"><br>")
            .append(esc(e.category()))
            .append("</div>\n");
      }
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static List<String> modelsOf(List<Example> examples) {
    List<String> models = new ArrayList<>();
    for (Example e : examples) {
      for (String m : e.predictions().keySet()) if (!models.contains(m)) models.add(m);
    }
    return models;
  }

  private static BufferedImage draw(Example e, List<String> models) {
    int scale = Math.max(1, 336 / Math.max(1, Math.max(e.image().getWidth(), e.image().getHeight())));
    int w = e.image().getWidth() * scale, h = e.image().getHeight() * scale;
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.drawImage(e.image(), 0, 0, w, h, null);
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setStroke(new BasicStroke(3f));
      g.setColor(new Color(0x00, 0xB0, 0x50));
      for (Box b : e.truth()) rect(g, b, scale);
      g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
      for (int i = 0; i < models.size(); i++) {
        g.setColor(MODEL_COLORS[i % MODEL_COLORS.length]);
        for (Box b : e.predictions().getOrDefault(models.get(i), List.of())) rect(g, b, scale);
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  private static void rect(Graphics2D g, Box b, int scale) {
    int x = (int) Math.round(b.x1() * scale), y = (int) Math.round(b.y1() * scale);
    int w = (int) Math.round((b.x2() - b.x1()) * scale), h = (int) Math.round((b.y2() - b.y1()) * scale);
    if (w > 0 && h > 0) g.drawRect(x, y, w, h);
  }

  private static byte[] png(BufferedImage img) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", bytes);
    } catch (IOException e) {
      throw new VirftException("cannot encode a report image as PNG: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  /** A line chart; non-finite points are left out (and so visible as gaps in the data, not as zeros). */
  static String svg(List<Series> series) {
    int w = 640, h = 300, left = 55, right = 150, top = 15, bottom = 35;
    double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double[] p : s.points()) {
        if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) continue;
        minX = Math.min(minX, p[0]);
        maxX = Math.max(maxX, p[0]);
        minY = Math.min(minY, p[1]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">%n", w, h));
    if (minX > maxX) return sb.append("<text x=\"10\" y=\"20\">no data</text></svg>\n").toString();
    if (maxX == minX) maxX = minX + 1;
    if (maxY == minY) {
      maxY += 0.5;
      minY -= 0.5;
    }
    double pw = w - left - right, ph = h - top - bottom;
    final double x0 = minX, x1 = maxX, y0 = minY, y1 = maxY;
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>%n", left, top, pw, ph));
    for (int i = 0; i <= 4; i++) {
      double v = y0 + (y1 - y0) * i / 4;
      double y = top + ph - ph * i / 4;
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.3g</text>%n", left - 4, y + 4, v));
      double xv = x0 + (x1 - x0) * i / 4;
      double x = left + pw * i / 4;
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%.4g</text>%n", x, h - bottom + 15, xv));
    }
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">step</text>%n", left + pw / 2, h - 3));
    for (int si = 0; si < series.size(); si++) {
      Series s = series.get(si);
      String color = SVG_COLORS[si % SVG_COLORS.length];
      StringBuilder pts = new StringBuilder();
      for (double[] p : s.points()) {
        if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) continue;
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + pw * (p[0] - x0) / (x1 - x0), top + ph - ph * (p[1] - y0) / (y1 - y0)));
      }
      sb.append(String.format("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", color, pts.toString().trim()));
      sb.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>%n", w - right + 8, top + 14 + 16 * si, color, esc(s.name())));
    }
    return sb.append("</svg>\n").toString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
