package dev.virft.eval;

/**
 * One box of a COCO/LVIS file: a ground-truth annotation or a detection result. Only the fields the
 * bbox evaluators read are kept (segmentations are skipped while parsing).
 */
public final class Detection {
  public final long id;
  public final long imageId;
  public final long categoryId;
  /** COCO box: x, y, width, height. */
  public final double x, y, w, h;
  /** Ground truth: the file's area (segmentation area in COCO); results: w*h as loadRes sets it. */
  public final double area;
  /** 0 or 1; results always 0 (loadRes). */
  public final int iscrowd;
  /** The file's own "ignore" flag (LVIS honours it; pycocotools overwrites it with iscrowd). */
  public final boolean ignore;
  /** Detection confidence; 0 for ground truth. */
  public final double score;

  public Detection(
      long id,
      long imageId,
      long categoryId,
      double x,
      double y,
      double w,
      double h,
      double area,
      int iscrowd,
      boolean ignore,
      double score) {
    this.id = id;
    this.imageId = imageId;
    this.categoryId = categoryId;
    this.x = x;
    this.y = y;
    this.w = w;
    this.h = h;
    this.area = area;
    this.iscrowd = iscrowd;
    this.ignore = ignore;
    this.score = score;
  }
}
