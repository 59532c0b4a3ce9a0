package dev.virft.train;

import dev.virft.util.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code report.html}: one self-contained page (charts rendered by JFreeChart to PNG, embedded as
 * base64) with the curves of the metrics history and the last logged values.
 */
public final class HtmlReport {
  public static final String FILE = "report.html";

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private HtmlReport() {}

  public static void write(Path outputDir, String title, List<Map<String, Object>> history, List<String> keys) {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title))
        .append("</title><style>body{font-family:sans-serif;margin:2em}img{margin:0.5em}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}</style></head><body>")
        .append("<h1>")
        .append(escape(title))
        .append("</h1><p>")
        .append(history.size())
        .append(" logged steps.</p>");
    for (String key : keys) {
      XYSeries s = new XYSeries(key);
      for (Map<String, Object> row : history) {
        if (row.get(key) instanceof Number v && row.get("step") instanceof Number st) {
          s.add(st.doubleValue(), v.doubleValue());
        }
      }
      if (s.getItemCount() == 0) {
        continue;
      }
      JFreeChart chart =
          ChartFactory.createXYLineChart(
              key, "step", key, new XYSeriesCollection(s), PlotOrientation.VERTICAL, false, false, false);
      html.append("<img alt=\"")
          .append(escape(key))
          .append("\" src=\"data:image/png;base64,")
          .append(png(chart))
          .append("\">");
    }
    if (!history.isEmpty()) {
      html.append("<h2>Last logged step</h2><table>");
      history.get(history.size() - 1)
          .forEach((k, v) -> html.append("<tr><th>").append(escape(k)).append("</th><td>")
              .append(escape(String.valueOf(v))).append("</td></tr>"));
      html.append("</table>");
    }
    html.append("</body></html>\n");
    AtomicFiles.writeString(outputDir.resolve(FILE), html.toString());
  }

  private static String png(JFreeChart chart) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ChartUtils.writeChartAsPNG(out, chart, 480, 300);
      return Base64.getEncoder().encodeToString(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
