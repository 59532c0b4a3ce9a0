package dev.virft.data.synthetic;

import java.awt.Color;
import java.util.Locale;

/** Saturated colours far apart from each other and from the grey background. */
public enum ShapeColor {
  RED(220, 30, 30),
  GREEN(30, 160, 50),
  BLUE(30, 70, 220),
  YELLOW(235, 200, 20),
  PURPLE(140, 50, 180),
  ORANGE(245, 130, 10);

  public final Color rgb;

  ShapeColor(int r, int g, int b) {
    this.rgb = new Color(r, g, b);
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
