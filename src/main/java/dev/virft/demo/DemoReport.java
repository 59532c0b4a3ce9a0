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

  /**
   * One test prompt: the image, its category, the true boxes and each model's boxes, and caption
   * lines under it (e.g. each model's classification answer).
   */
  public record Example(
      BufferedImage image, String category, List<Box> truth, Map<String, List<Box>> predictions, List<String> caption) {
    public Example(BufferedImage image, String category, List<Box> truth, Map<String, List<Box>> predictions) {
      this(image, category, truth, predictions, List.of());
    }
  }

  /** A titled table of text cells (the first row is the header). */
  public record Table(String title, List<List<String>> rows) {}

  /** A section: a heading, paragraphs, tables, charts and examples, in that order. */
  private static final class Section {
    final String heading;
    final List<String> notes = new ArrayList<>();
    final List<Table> tables = new ArrayList<>();
    final Map<String, List<Series>> charts = new LinkedHashMap<>();
    final List<Example> examples = new ArrayList<>();

    Section(String heading) {
      this.heading = heading;
    }
  }

  private static final Color[] MODEL_COLORS = {
    new Color(0xE6, 0x9F, 0x00), new Color(0x00, 0x72, 0xB2), new Color(0xD5, 0x5E, 0x00),
    new Color(0xCC, 0x79, 0xA7)
  };
  private static final String[] SVG_COLORS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7"};

  private final String title;
  private final List<Section> sections = new ArrayList<>();

  public DemoReport(String title) {
    this.title = title;
    sections.add(new Section(null));
  }

  private Section current() {
    return sections.get(sections.size() - 1);
  }

  /** Starts a new section under a heading; what follows goes into it. */
  public DemoReport section(String heading) {
    sections.add(new Section(heading));
    return this;
  }

  public DemoReport note(String line) {
    current().notes.add(line);
    return this;
  }

  /** The metrics of one run as a table (header from the rows' columns). */
  public DemoReport metrics(List<DemoMetrics> rows) {
    if (rows.isEmpty()) return this;
    List<List<String>> t = new ArrayList<>();
    List<String> head = new ArrayList<>(List.of("model"));
    head.addAll(rows.get(0).columns());
    head.add("prompts");
    t.add(head);
    for (DemoMetrics m : rows) {
      List<String> r = new ArrayList<>(List.of(m.model()));
      for (double v : m.values()) r.add(String.format(Locale.ROOT, "%.4f", v));
      r.add(String.valueOf(m.prompts()));
      t.add(r);
    }
    return table("Metrics on the held-out test images", t);
  }

  public DemoReport table(String tableTitle, List<List<String>> rows) {
    current().tables.add(new Table(tableTitle, rows));
    return this;
  }

  public DemoReport chart(String chartTitle, List<Series> series) {
    current().charts.put(chartTitle, series);
    return this;
  }

  public DemoReport example(Example e) {
    current().examples.add(e);
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
    for (Section sec : sections) {
      if (sec.heading != null) h.append("<h2>").append(esc(sec.heading)).append("</h2>\n");
      for (String n : sec.notes) h.append("<p>").append(esc(n)).append("</p>\n");
      for (Table t : sec.tables) {
        h.append("<h3>").append(esc(t.title())).append("</h3>\n<table>");
        for (int i = 0; i < t.rows().size(); i++) {
          h.append("<tr>");
          for (String c : t.rows().get(i)) {
            String tag = i == 0 ? "th" : "td";
            h.append('<').append(tag).append('>').append(esc(c)).append("</").append(tag).append('>');
          }
          h.append("</tr>\n");
        }
        h.append("</table>\n");
      }
      for (Map.Entry<String, List<Series>> c : sec.charts.entrySet()) {
        h.append("<h3>").append(esc(c.getKey())).append("</h3>\n").append(svg(c.getValue()));
      }
      if (!sec.examples.isEmpty()) examples(h, sec.examples);
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void examples(StringBuilder h, List<Example> examples) {
    h.append("<h3>Test images</h3>\n<p>Green: ground truth. ");
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
          .append(esc(e.category()));
      for (String line : e.caption()) h.append("<br>").append(esc(line));
      h.append("</div>\n");
    }
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
    }
    for (long xv : integerTicks(x0, x1)) {
      double x = left + pw * (xv - x0) / (x1 - x0);
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%d</text>%n", x, h - bottom + 15, xv));
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

  /** At most about six integer ticks in [lo, hi] (steps are integers: no "2.5" tick). */
  static List<Long> integerTicks(double lo, double hi) {
    long a = (long) Math.ceil(lo), b = (long) Math.floor(hi);
    List<Long> out = new ArrayList<>();
    if (b < a) return out;
    long step = 1; // 1, 2, 5, 10, 20, 50, ...
    while ((b - a) / step > 5) {
      long d = step;
      while (d >= 10) d /= 10;
      step = d == 2 ? step / 2 * 5 : step * 2;
    }
    for (long v = Math.floorDiv(a + step - 1, step) * step; v <= b; v += step) out.add(v);
    if (out.isEmpty() || out.get(0) - a >= step / 2.0) out.add(0, a);
    return out;
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
