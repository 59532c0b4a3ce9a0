package dev.virft.data.synthetic;

import java.util.Locale;

/** What a synthetic shape looks like. */
public enum ShapeKind {
  CIRCLE,
  SQUARE,
  TRIANGLE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
