package dev.virft.eval;

/**
 * The outcome of matching one image's detections of one category against its ground truth in one
 * area range ({@code evaluateImg} in pycocotools / lvis-api). Detections are in descending score
 * order; {@code dtMatched[t][d]} is true when detection d matched a ground truth whose id is
 * nonzero (pycocotools stores the matched id and reads 0 as "unmatched").
 */
final class ImageEvaluation {
  final double[] dtScores;
  final boolean[][] dtMatched;
  final boolean[][] dtIgnore;
  final int[] gtIgnore;

  ImageEvaluation(double[] dtScores, boolean[][] dtMatched, boolean[][] dtIgnore, int[] gtIgnore) {
    this.dtScores = dtScores;
    this.dtMatched = dtMatched;
    this.dtIgnore = dtIgnore;
    this.gtIgnore = gtIgnore;
  }
}
