package dev.virft.data.synthetic;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Draws scenes of non-overlapping coloured shapes with Java2D. Antialiasing is off so every pixel is
 * either background or exactly one shape's colour: the output is identical on every JVM/platform for a
 * seed, and boxes can be measured from the pixels.
 */
public final class SceneRenderer {
  static final Color BACKGROUND = new Color(235, 235, 235);
  private static final int GAP = 3;

  private final int size;
  private final Difficulty difficulty;

  public SceneRenderer(int size, Difficulty difficulty) {
    if (size < 32) throw new IllegalArgumentException("image size must be at least 32 pixels");
    this.size = size;
    this.difficulty = difficulty;
  }

  /**
   * The gradient background's colour at pixel (x, y) of a size×size image: red 150→250 left to right,
   * green 150→250 top to bottom, blue 235. Never one of the shapes' colours (every channel ≥ 150 and
   * blue high), so shapes are still measured by exact colour.
   */
  public static Color background(int x, int y, int size) {
    int r = 150 + (100 * x) / Math.max(1, size - 1);
    int gr = 150 + (100 * y) / Math.max(1, size - 1);
    return new Color(r, gr, 235);
  }

  /** A placed, not yet drawn shape: its square cell. */
  record Placement(ShapeKind kind, ShapeColor color, int x, int y, int side) {
    boolean overlaps(Placement o) {
      return x < o.x + o.side + GAP && o.x < x + side + GAP && y < o.y + o.side + GAP && o.y < y + side + GAP;
    }
  }

  /** Random placements of {@code count} shapes (fewer if they do not fit), from {@code rng}. */
  List<Placement> place(SplittableRandom rng, int count) {
    List<Placement> out = new ArrayList<>();
    int minSide = Math.max(6, (int) Math.round(difficulty.minSide * size));
    int maxSide = Math.max(minSide, (int) Math.round(difficulty.maxSide * size));
    for (int attempt = 0; out.size() < count && attempt < 200; attempt++) {
      int side = minSide + rng.nextInt(maxSide - minSide + 1);
      int x = 1 + rng.nextInt(size - side - 1);
      int y = 1 + rng.nextInt(size - side - 1);
      ShapeKind kind = ShapeKind.values()[rng.nextInt(ShapeKind.values().length)];
      ShapeColor color = difficulty.colors.get(rng.nextInt(difficulty.colors.size()));
      Placement p = new Placement(kind, color, x, y, side);
      if (out.stream().noneMatch(p::overlaps)) out.add(p);
    }
    return out;
  }

  /** Draws the placements, measures each shape's pixel box, encodes an RGBA PNG. */
  Scene render(List<Placement> placements) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_4BYTE_ABGR);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      if (difficulty.gradientBackground) {
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) img.setRGB(x, y, background(x, y, size).getRGB());
        }
      } else {
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, size, size);
      }
      for (Placement p : placements) {
        g.setColor(p.color().rgb);
        switch (p.kind()) {
          case CIRCLE -> g.fillOval(p.x(), p.y(), p.side(), p.side());
          case SQUARE -> g.fillRect(p.x(), p.y(), p.side(), p.side());
          case TRIANGLE -> g.fillPolygon(new Polygon(
              new int[] {p.x(), p.x() + p.side(), p.x() + p.side() / 2},
              new int[] {p.y() + p.side(), p.y() + p.side(), p.y()}, 3));
        }
      }
    } finally {
      g.dispose();
    }
    List<Shape> shapes = new ArrayList<>();
    for (Placement p : placements) {
      shapes.add(measure(img, p));
    }
    return new Scene(size, size, List.copyOf(shapes), png(img));
  }

  /** The tight box of the shape's colour inside its cell (cells do not overlap). */
  private static Shape measure(BufferedImage img, Placement p) {
    int rgb = p.color().rgb.getRGB();
    int x1 = Integer.MAX_VALUE, y1 = Integer.MAX_VALUE, x2 = -1, y2 = -1;
    for (int y = Math.max(0, p.y() - 1); y <= Math.min(img.getHeight() - 1, p.y() + p.side()); y++) {
      for (int x = Math.max(0, p.x() - 1); x <= Math.min(img.getWidth() - 1, p.x() + p.side()); x++) {
        if (img.getRGB(x, y) == rgb) {
          x1 = Math.min(x1, x);
          y1 = Math.min(y1, y);
          x2 = Math.max(x2, x + 1);
          y2 = Math.max(y2, y + 1);
        }
      }
    }
    return new Shape(p.kind(), p.color(), x1, y1, x2, y2);
  }

  static byte[] png(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
