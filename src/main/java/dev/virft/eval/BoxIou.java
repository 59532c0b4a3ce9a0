package dev.virft.eval;

import java.util.List;

/** Box IoU as pycocotools' {@code maskApi.c bbIou}, operation for operation (same rounding). */
public final class BoxIou {
  private BoxIou() {}

  /**
   * IoU of every detection (rows) with every ground truth (columns), boxes in COCO xywh. For a
   * crowd ground truth the union is the detection's own area, as in COCO.
   */
  public static double[][] matrix(List<Detection> dt, List<Detection> gt, int[] iscrowd) {
    int m = dt.size(), n = gt.size();
    double[][] o = new double[m][n];
    for (int g = 0; g < n; g++) {
      Detection gb = gt.get(g);
      double ga = gb.w * gb.h;
      boolean crowd = iscrowd != null && iscrowd[g] != 0;
      for (int d = 0; d < m; d++) {
        Detection db = dt.get(d);
        double da = db.w * db.h;
        double w = Math.min(db.w + db.x, gb.w + gb.x) - Math.max(db.x, gb.x);
        if (w <= 0) {
          continue;
        }
        double h = Math.min(db.h + db.y, gb.h + gb.y) - Math.max(db.y, gb.y);
        if (h <= 0) {
          continue;
        }
        double i = w * h;
        double u = crowd ? da : da + ga - i;
        o[d][g] = i / u;
      }
    }
    return o;
  }
}
