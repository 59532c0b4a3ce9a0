package dev.virft.inference;

import dev.virft.util.AtomicFiles;
import dev.virft.util.VirftException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws labelled boxes over an image (Java2D) and writes it atomically as PNG or JPEG. */
public final class BoxDrawing {
  private static final Color[] COLORS = {
    new Color(230, 25, 75), new Color(60, 180, 75), new Color(0, 130, 200), new Color(245, 130, 48),
    new Color(145, 30, 180), new Color(70, 240, 240), new Color(240, 50, 230), new Color(210, 245, 60),
  };

  private BoxDrawing() {}

  /** A copy of {@code image} (RGB) with the boxes; labels are "{@code name} {@code box.label()}". */
  public static BufferedImage draw(BufferedImage image, List<AnswerBoxes.Box> boxes, String name) {
    int w = image.getWidth(), h = image.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE); // transparent pixels over white, as the processor sees them
      g.fillRect(0, 0, w, h);
      g.drawImage(image, 0, 0, null);
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      float stroke = Math.max(1f, Math.min(w, h) / 150f);
      g.setStroke(new BasicStroke(stroke));
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(9, Math.round(Math.min(w, h) / 30f))));
      FontMetrics fm = g.getFontMetrics();
      for (int i = 0; i < boxes.size(); i++) {
        AnswerBoxes.Box b = boxes.get(i);
        Color c = COLORS[i % COLORS.length];
        int x = (int) Math.round(Math.min(b.x1(), b.x2())), y = (int) Math.round(Math.min(b.y1(), b.y2()));
        int bw = (int) Math.round(Math.abs(b.x2() - b.x1())), bh = (int) Math.round(Math.abs(b.y2() - b.y1()));
        g.setColor(c);
        g.drawRect(x, y, bw, bh);
        String label = (name == null || name.isBlank() ? "" : name + " ") + b.label();
        int tw = fm.stringWidth(label) + 4, th = fm.getHeight();
        int ty = y - th >= 0 ? y - th : y; // above the box, or inside it at the top edge
        int tx = Math.max(0, Math.min(x, w - tw));
        g.fillRect(tx, ty, tw, th);
        g.setColor(luminance(c) > 140 ? Color.BLACK : Color.WHITE);
        g.drawString(label, tx + 2, ty + fm.getAscent());
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  private static double luminance(Color c) {
    return 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
  }

  /** "png" or "jpeg" by the file's extension; anything else is refused. */
  public static String formatOf(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String format = n.endsWith(".jpg") || n.endsWith(".jpeg") ? "jpeg" : n.endsWith(".png") ? "png" : null;
    if (format == null) {
      throw new VirftException(file + ": --output must end in .png, .jpg or .jpeg");
    }
    return format;
  }

  /** Writes PNG, or JPEG for a .jpg/.jpeg name, via a temporary file renamed into place. */
  public static void write(BufferedImage image, Path file) {
    String format = formatOf(file);
    AtomicFiles.write(file, os -> {
      if (!ImageIO.write(image, format, os)) {
        throw new VirftException(file + ": no " + format + " writer available");
      }
    });
  }
}
