package dev.virft.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;

/**
 * Mask gIoU / cIoU for LISA when polygon ground truth is given. The original turns each predicted
 * box into a mask with SAM (vit_h) and draws the ground-truth polygon with PIL; SAM is not used
 * here: the predicted mask is the box itself, {@code [int(x1*W), int(y1*H), int(x2*W), int(y2*H)]}
 * as box2mask.py scales it, filling pixels x1 &lt;= x &lt; x2, y1 &lt;= y &lt; y2. The polygon is
 * rasterised with java.awt (interior plus a 1-pixel outline, as PIL's {@code polygon(outline=1,
 * fill=1)}); edge pixels can differ from PIL's rasteriser. So these numbers are a box-mask
 * approximation of the paper's gIoU, not the same metric.
 */
public final class GroundingMasks {
  private GroundingMasks() {}

  /** A binary mask, row-major, one byte per pixel (0 or nonzero). */
  public record Mask(int width, int height, byte[] pixels) {}

  /** Intersection and union pixel counts of two masks of one image. */
  public record Overlap(long intersection, long union) {
    /** {@code inter / (union + 1e-6)} as mask_iou.py. */
    public double iou() {
      return intersection / (union + 1e-6);
    }
  }

  public static Mask boxMask(double[] normalizedBox, int width, int height) {
    byte[] px = new byte[width * height];
    int x1 = Math.max(0, (int) (normalizedBox[0] * width));
    int y1 = Math.max(0, (int) (normalizedBox[1] * height));
    int x2 = Math.min(width, (int) (normalizedBox[2] * width));
    int y2 = Math.min(height, (int) (normalizedBox[3] * height));
    for (int y = y1; y < y2; y++) {
      for (int x = x1; x < x2; x++) {
        px[y * width + x] = 1;
      }
    }
    return new Mask(width, height, px);
  }

  public static Mask emptyMask(int width, int height) {
    return new Mask(width, height, new byte[width * height]);
  }

  /** The polygon (pixel coordinates) filled and outlined, at the image size. */
  public static Mask polygonMask(List<double[]> points, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      Path2D.Double path = new Path2D.Double();
      for (int i = 0; i < points.size(); i++) {
        double[] p = points.get(i);
        if (i == 0) {
          path.moveTo(p[0], p[1]);
        } else {
          path.lineTo(p[0], p[1]);
        }
      }
      path.closePath();
      g.fill(path);
      g.setStroke(new BasicStroke(1f));
      g.draw(path);
    } finally {
      g.dispose();
    }
    byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData().clone();
    return new Mask(width, height, px);
  }

  public static Overlap overlap(Mask a, Mask b) {
    if (a.width() != b.width() || a.height() != b.height()) {
      throw new IllegalArgumentException("mask sizes differ");
    }
    long inter = 0, union = 0;
    byte[] pa = a.pixels(), pb = b.pixels();
    for (int i = 0; i < pa.length; i++) {
      boolean x = pa[i] != 0, y = pb[i] != 0;
      if (x && y) {
        inter++;
      }
      if (x || y) {
        union++;
      }
    }
    return new Overlap(inter, union);
  }

  /** gIoU: mean of per-image IoU (numpy mean); 0 for no images, as mask_iou.py. */
  public static double gIoU(List<Overlap> overlaps) {
    if (overlaps.isEmpty()) {
      return 0;
    }
    double[] ious = new double[overlaps.size()];
    for (int i = 0; i < ious.length; i++) {
      ious[i] = overlaps.get(i).iou();
    }
    return NumpyMath.mean(ious, ious.length);
  }

  /** cIoU: total intersection / (total union + 1e-6). */
  public static double cIoU(List<Overlap> overlaps) {
    long inter = 0, union = 0;
    for (Overlap o : overlaps) {
      inter += o.intersection();
      union += o.union();
    }
    return inter / (union + 1e-6);
  }
}
