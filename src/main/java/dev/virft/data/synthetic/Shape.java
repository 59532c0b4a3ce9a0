package dev.virft.data.synthetic;

/**
 * A drawn shape and its exact pixel bounding box {@code [x1, y1, x2, y2)} (x2/y2 exclusive), measured
 * from the rendered pixels, so ground-truth boxes are what is really in the image.
 */
public record Shape(ShapeKind kind, ShapeColor color, int x1, int y1, int x2, int y2) {
  /** "red circle": the category / class name used in prompts and answers. */
  public String label() {
    return color.label() + " " + kind.label();
  }

  public double cx() {
    return (x1 + x2) / 2.0;
  }

  public double cy() {
    return (y1 + y2) / 2.0;
  }
}
