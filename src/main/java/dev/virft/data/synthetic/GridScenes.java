package dev.virft.data.synthetic;

import java.awt.Color;
import java.awt.Polygon;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Scenes for the built-in demo: shapes placed on a coarse grid of {@code cells × cells} square cells,
 * each shape filling a square of whole cells, so every true box edge is a multiple of {@code 1000 /
 * cells} in the original's 0–1000 space (with 8 cells: 0, 125, …, 1000) and a box is four choices
 * among nine values — localisation a tiny model can learn in minutes on a CPU.
 *
 * <p>Every pixel also carries where it is: the background is the position gradient of {@link
 * SceneRenderer#background}, and each shape's colour is shifted by a small tint that grows the same
 * way (red channel left to right, green top to bottom, ±{@link #TINT}). Qwen2-VL's vision tower has no
 * absolute position embedding (only relative 2D rotary attention), so without this a patch inside a
 * flat shape could not tell the tiny model where it is. The tint never moves a colour closer to
 * another shape colour than it is to its own.
 *
 * <p>Ground-truth boxes are the shapes' cells (a circle's or triangle's tight box is its cell up to a
 * pixel of rasterisation), so they sit exactly on the grid.
 */
public final class GridScenes {
  /** Half the range of the position tint added to shape colours, per channel. */
  static final int TINT = 48;

  /** One shape to draw: its kind and colour. */
  public record Item(ShapeColor color, ShapeKind kind) {
    public String label() {
      return color.label() + " " + kind.label();
    }
  }

  private final int size;
  private final int cells;
  private final int minCells;
  private final int maxCells;
  private final int gap;

  /**
   * @param size image side in pixels (a multiple of {@code cells})
   * @param cells grid cells per side
   * @param minCells smallest shape side, in cells
   * @param maxCells largest shape side, in cells
   * @param gap empty cells kept between two shapes (0: they may touch)
   */
  public GridScenes(int size, int cells, int minCells, int maxCells, int gap) {
    if (size % cells != 0) throw new IllegalArgumentException("image side " + size + " is not a multiple of " + cells);
    if (minCells < 1 || maxCells < minCells || maxCells > cells) throw new IllegalArgumentException("bad shape sizes");
    this.size = size;
    this.cells = cells;
    this.minCells = minCells;
    this.maxCells = maxCells;
    this.gap = gap;
  }

  /**
   * Places the items at random (non-overlapping, at least {@code gap} empty cells between two shapes),
   * starting over with smaller shapes when they do not fit; a scene always holds every item. Returns the rendered scene,
   * its shapes in the items' order.
   */
  public Scene scene(SplittableRandom rng, List<Item> items) {
    return scene(rng, items, 0, 0);
  }

  /**
   * As {@link #scene(SplittableRandom, List)}, each shape drawn {@code inset} pixels smaller than its
   * cells on every side and moved by up to {@code jitter} ≤ {@code inset} pixels in x and y within them
   * (smaller shapes at varied positions; the returned boxes are then the drawn squares, off the grid).
   */
  public Scene scene(SplittableRandom rng, List<Item> items, int inset, int jitter) {
    return scene(rng, items, inset, jitter, null);
  }

  /**
   * As {@link #scene(SplittableRandom, List, int, int)}, shape {@code i} painted in {@code colors.get(i)}
   * (before the position tint) instead of its item's colour where that entry is not null; a null list
   * paints every shape in its own colour (the same scene as the four-argument form).
   */
  public Scene scene(SplittableRandom rng, List<Item> items, int inset, int jitter, List<Color> colors) {
    if (jitter > inset) throw new IllegalArgumentException("jitter " + jitter + " > inset " + inset);
    int cell = size / cells;
    List<int[]> placed = null; // {cx, cy, sideCells}
    for (int round = 0; placed == null; round++) {
      if (round == 200) throw new IllegalStateException("cannot place " + items.size() + " shapes on the grid");
      // Start over when a shape does not fit (an early big shape can block the rest), smaller each time.
      int hi = Math.max(minCells, maxCells - round / 10);
      placed = new ArrayList<>();
      for (int k = 0; k < items.size() && placed != null; k++) {
        int[] p = null;
        for (int attempt = 0; p == null && attempt < 50; attempt++) {
          int side = minCells + rng.nextInt(hi - minCells + 1);
          int[] c = {rng.nextInt(cells - side + 1), rng.nextInt(cells - side + 1), side};
          if (placed.stream().noneMatch(o -> near(o, c))) p = c;
        }
        if (p == null) placed = null;
        else placed.add(p);
      }
    }
    int[] argb = new int[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) argb[y * size + x] = SceneRenderer.background(x, y, size).getRGB();
    }
    List<Shape> shapes = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Item it = items.get(i);
      int[] p = placed.get(i);
      int jx = jitter > 0 ? rng.nextInt(2 * jitter + 1) - jitter : 0;
      int jy = jitter > 0 ? rng.nextInt(2 * jitter + 1) - jitter : 0;
      int x = p[0] * cell + inset + jx, y = p[1] * cell + inset + jy, s = p[2] * cell - 2 * inset;
      if (s < 4) throw new IllegalArgumentException("inset " + inset + " leaves no shape");
      fill(argb, it, colors != null && colors.get(i) != null ? colors.get(i) : it.color().rgb, x, y, s);
      shapes.add(new Shape(it.kind(), it.color(), x, y, x + s, y + s));
    }
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_4BYTE_ABGR);
    img.setRGB(0, 0, size, size, argb, 0, size);
    return new Scene(size, size, List.copyOf(shapes), SceneRenderer.png(img));
  }

  /** Squares of cells closer than {@code gap} free cells (overlapping when the gap is 0). */
  private boolean near(int[] a, int[] b) {
    return a[0] < b[0] + b[2] + gap && b[0] < a[0] + a[2] + gap && a[1] < b[1] + b[2] + gap && b[1] < a[1] + a[2] + gap;
  }

  private void fill(int[] argb, Item it, Color c, int x, int y, int s) {
    // Rasterise the shape once as a mask (Java2D, no antialiasing), then colour its pixels with the tint.
    BufferedImage mask = new BufferedImage(s, s, BufferedImage.TYPE_BYTE_BINARY);
    java.awt.Graphics2D g = mask.createGraphics();
    try {
      g.setColor(Color.WHITE);
      switch (it.kind()) {
        case CIRCLE -> g.fillOval(0, 0, s, s);
        case SQUARE -> g.fillRect(0, 0, s, s);
        case TRIANGLE -> g.fillPolygon(new Polygon(new int[] {0, s, s / 2}, new int[] {s, s, 0}, 3));
      }
    } finally {
      g.dispose();
    }
    Color b = squeezed(c);
    for (int dy = 0; dy < s; dy++) {
      for (int dx = 0; dx < s; dx++) {
        if ((mask.getRGB(dx, dy) & 0xFFFFFF) == 0) continue;
        int px = x + dx, py = y + dy;
        argb[py * size + px] = tinted(b, px, py).getRGB();
      }
    }
  }

  /**
   * The colour a shape of {@code color} is drawn in before the position tint: its red and green
   * channels squeezed into [{@link #TINT}, 255 − {@link #TINT}], so adding the tint never clamps.
   * (A clamped tint was flat over part of the image for every colour, e.g. red's right half and
   * green's left one: a shape's pixels then did not say which column it is in.)
   */
  public static Color baseColor(ShapeColor color) {
    return squeezed(color.rgb);
  }

  private static Color squeezed(Color c) {
    return new Color(squeeze(c.getRed()), squeeze(c.getGreen()), c.getBlue());
  }

  /** {@code base} with the position tint of pixel (x, y): red grows left to right, green top to bottom. */
  Color tinted(Color base, int x, int y) {
    int tr = (2 * TINT * x) / Math.max(1, size - 1) - TINT;
    int tg = (2 * TINT * y) / Math.max(1, size - 1) - TINT;
    return new Color(base.getRed() + tr, base.getGreen() + tg, base.getBlue());
  }

  private static int squeeze(int v) {
    return TINT + (v * (255 - 2 * TINT) + 127) / 255;
  }

}
