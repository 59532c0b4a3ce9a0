package dev.virft.inference;

import dev.virft.py.PyError;
import dev.virft.py.PyNumbers;
import dev.virft.reward.DetectionAnswerParser;
import dev.virft.reward.LisaBoxParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The boxes of one answer in pixels of the original image: the detection format
 * ({@code [{'Position': [x1, y1, x2, y2], 'Confidence': c}, ...]}, parsed as the COCO evaluation does)
 * or, when that gives none, every LISA {@code (x1,y1),(x2,y2)} pair; both on the 0–1000 scale,
 * converted with {@code v / 1000 · size}.
 */
public final class AnswerBoxes {
  /** A box in pixels, its score (NaN when the format has none) and the format it came from. */
  public record Box(double x1, double y1, double x2, double y2, double score, String format) {
    public String label() {
      return Double.isNaN(score) ? format : String.format(Locale.ROOT, "%.2f", score);
    }
  }

  private AnswerBoxes() {}

  public static List<Box> parse(String answer, int width, int height) {
    List<Box> out = new ArrayList<>();
    for (DetectionAnswerParser.PixelBox pb : DetectionAnswerParser.parseForEval(answer, width, height).boxes()) {
      double[] b = pb.bbox();
      double score;
      try {
        score = PyNumbers.toFloat(pb.score());
      } catch (PyError e) {
        score = Double.NaN;
      }
      out.add(new Box(b[0], b[1], b[0] + b[2], b[1] + b[3], score, "detection"));
    }
    if (!out.isEmpty()) {
      return out;
    }
    try {
      for (LisaBoxParser.RawBox r : LisaBoxParser.findAll(answer)) {
        double[] n = r.normalized();
        out.add(new Box(n[0] * width, n[1] * height, n[2] * width, n[3] * height, Double.NaN, "box"));
      }
    } catch (PyError e) {
      // a number too long for Python's int(): the original scores such an answer 0; nothing to draw
    }
    return out;
  }
}
