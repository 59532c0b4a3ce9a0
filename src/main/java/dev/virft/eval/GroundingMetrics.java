package dev.virft.eval;

import java.math.BigInteger;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LISA reasoning-grounding box metric as Visual-RFT's lisa_evaluation (Qwen2_VL_lisa_infere.py +
 * merge_eval.py): the first {@code (x1,y1),(x2,y2)} of the response, divided by 1000, against the
 * ground-truth box divided by the image size; IoU = inter / (areaA + areaB - inter + 1e-6); any
 * failure (no box, zero denominator) scores 0; mIoU is the plain mean.
 */
public final class GroundingMetrics {
  /**
   * The original pattern. UNICODE_CHARACTER_CLASS: Python 3's \d and \s on str match Unicode
   * digits and spaces, Java's default only ASCII.
   */
  private static final Pattern BOX = Pattern.compile(
      "\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)\\s*,\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)",
      Pattern.UNICODE_CHARACTER_CLASS);

  private GroundingMetrics() {}

  /** The first box of the response in 0-1 coordinates [x1, y1, x2, y2], or null if none. */
  public static double[] firstBox(String response) {
    Matcher m = BOX.matcher(response);
    if (!m.find()) {
      return null;
    }
    double[] b = new double[4];
    for (int i = 0; i < 4; i++) {
      b[i] = integer(m.group(i + 1)) / 1000;
    }
    return b;
  }

  private static double integer(String digits) {
    // BigInteger: Python's int() is unbounded and accepts any Unicode decimal digit.
    return new BigInteger(digits).doubleValue();
  }

  /** {@code compute_iou(boxA, boxB)} of the original, xyxy; NaN where Python would raise. */
  public static double boxIou(double[] a, double[] b) {
    double xA = Math.max(a[0], b[0]);
    double yA = Math.max(a[1], b[1]);
    double xB = Math.min(a[2], b[2]);
    double yB = Math.min(a[3], b[3]);
    double inter = Math.max(0, xB - xA) * Math.max(0, yB - yA);
    double areaA = (a[2] - a[0]) * (a[3] - a[1]);
    double areaB = (b[2] - b[0]) * (b[3] - b[1]);
    double denom = areaA + areaB - inter + 1e-6;
    return denom == 0 ? Double.NaN : inter / denom;
  }

  /**
   * One sample's IoU: the response's first box against the ground-truth box in pixels (xyxy) of
   * an image of the given size; 0 when the response has no box (the original's except branch).
   */
  public static double sampleIou(String response, double[] gtBoxPixels, int width, int height) {
    double[] pred = firstBox(response);
    if (pred == null) {
      return 0;
    }
    double[] gt = {
      gtBoxPixels[0] / width, gtBoxPixels[1] / height, gtBoxPixels[2] / width, gtBoxPixels[3] / height
    };
    double iou = boxIou(pred, gt);
    return Double.isNaN(iou) ? 0 : iou;
  }

  /** {@code sum(ious) / len(ious)}, summed left to right as Python's sum. */
  public static double meanIou(List<Double> ious) {
    double s = 0;
    for (double v : ious) {
      s += v;
    }
    return s / ious.size();
  }
}
