package dev.virft.data.synthetic;

import java.util.List;

/**
 * How hard the synthetic task is.
 *
 * <ul>
 *   <li>{@code EASY} — the built-in demo's data: one or two large shapes (a third to a half of the
 *       image side), three colours (red, green, blue), three kinds, on a faint colour gradient (the
 *       background's red grows left to right, its green top to bottom) so that where a patch lies is
 *       visible in its pixels; a tiny model on a CPU can learn it. Qwen2-VL's vision tower has no
 *       absolute position embedding (only relative 2D rotary attention), so on a flat background a
 *       small tower trained from scratch has no way to tell where in the image a shape is.
 *   <li>{@code NORMAL} — one to four shapes, six colours, shapes 1/7 to 1/3 of the side.
 * </ul>
 */
public enum Difficulty {
  EASY(1, 2, 0.32, 0.50, List.of(ShapeColor.RED, ShapeColor.GREEN, ShapeColor.BLUE), true),
  NORMAL(1, 4, 0.15, 0.33, List.of(ShapeColor.values()), false);

  public final int minShapes;
  public final int maxShapes;
  /** Shape side as a fraction of the image side. */
  public final double minSide;
  public final double maxSide;
  public final List<ShapeColor> colors;
  /** Background a position gradient ({@link SceneRenderer#background}) instead of flat grey. */
  public final boolean gradientBackground;

  Difficulty(
      int minShapes,
      int maxShapes,
      double minSide,
      double maxSide,
      List<ShapeColor> colors,
      boolean gradientBackground) {
    this.gradientBackground = gradientBackground;
    this.minShapes = minShapes;
    this.maxShapes = maxShapes;
    this.minSide = minSide;
    this.maxSide = maxSide;
    this.colors = colors;
  }
}
