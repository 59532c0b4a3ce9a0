package dev.virft.data.synthetic;

import java.util.List;

/**
 * How hard the synthetic task is.
 *
 * <ul>
 *   <li>{@code EASY} — the built-in demo's data: one or two large shapes (a third to a half of the
 *       image side), three colours (red, green, blue), three kinds; a tiny model on a CPU can learn it.
 *   <li>{@code NORMAL} — one to four shapes, six colours, shapes 1/7 to 1/3 of the side.
 * </ul>
 */
public enum Difficulty {
  EASY(1, 2, 0.32, 0.50, List.of(ShapeColor.RED, ShapeColor.GREEN, ShapeColor.BLUE)),
  NORMAL(1, 4, 0.15, 0.33, List.of(ShapeColor.values()));

  public final int minShapes;
  public final int maxShapes;
  /** Shape side as a fraction of the image side. */
  public final double minSide;
  public final double maxSide;
  public final List<ShapeColor> colors;

  Difficulty(int minShapes, int maxShapes, double minSide, double maxSide, List<ShapeColor> colors) {
    this.minShapes = minShapes;
    this.maxShapes = maxShapes;
    this.minSide = minSide;
    this.maxSide = maxSide;
    this.colors = colors;
  }
}
