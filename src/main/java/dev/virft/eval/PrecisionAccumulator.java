package dev.virft.eval;

import java.util.List;

/**
 * The inner step of {@code accumulate()} shared by COCOeval and LVISEval: pools the per-image
 * results of one (category, area range[, maxDets]) over all images, sorts detections by score
 * (stable, image order breaking ties), and writes the interpolated precision at each recall
 * threshold and the final recall for each IoU threshold.
 */
final class PrecisionAccumulator {
  private PrecisionAccumulator() {}

  /** Sink for the results: precision per (t, r) and recall per t. */
  interface Sink {
    void precision(int t, int r, double value);

    void recall(int t, double value);
  }

  /**
   * @param maxDet detections kept per image ({@code e['dtScores'][0:maxDet]}); Integer.MAX_VALUE
   *     for all
   * @return false when there is no non-ignored ground truth (nothing is written: stays -1)
   */
  static boolean accumulate(
      List<ImageEvaluation> evals, int maxDet, int numThresholds, double[] recThrs, Sink sink) {
    int total = 0;
    int npig = 0;
    for (ImageEvaluation e : evals) {
      total += Math.min(maxDet, e.dtScores.length);
      for (int g : e.gtIgnore) {
        if (g == 0) {
          npig++;
        }
      }
    }
    if (npig == 0) {
      return false;
    }
    double[] scores = new double[total];
    int[] owner = new int[total];
    int[] local = new int[total];
    int pos = 0;
    for (int ei = 0; ei < evals.size(); ei++) {
      ImageEvaluation e = evals.get(ei);
      int nd = Math.min(maxDet, e.dtScores.length);
      for (int d = 0; d < nd; d++) {
        scores[pos] = e.dtScores[d];
        owner[pos] = ei;
        local[pos] = d;
        pos++;
      }
    }
    int[] order = NumpyMath.stableArgsortDescending(scores, total);
    double[] tp = new double[total];
    double[] fp = new double[total];
    double[] rc = new double[total];
    double[] pr = new double[total];
    int numRec = recThrs.length;
    for (int t = 0; t < numThresholds; t++) {
      long tpSum = 0, fpSum = 0;
      for (int i = 0; i < total; i++) {
        ImageEvaluation e = evals.get(owner[order[i]]);
        int d = local[order[i]];
        boolean matched = e.dtMatched[t][d];
        boolean ignored = e.dtIgnore[t][d];
        if (matched && !ignored) {
          tpSum++;
        }
        if (!matched && !ignored) {
          fpSum++;
        }
        tp[i] = tpSum;
        fp[i] = fpSum;
      }
      for (int i = 0; i < total; i++) {
        rc[i] = tp[i] / npig;
        pr[i] = tp[i] / (fp[i] + tp[i] + NumpyMath.SPACING_1);
      }
      sink.recall(t, total > 0 ? rc[total - 1] : 0.0);
      // Make precision monotone non-increasing from the right (the PR-curve envelope).
      for (int i = total - 1; i > 0; i--) {
        if (pr[i] > pr[i - 1]) {
          pr[i - 1] = pr[i];
        }
      }
      // Recall thresholds past the last reached recall keep precision 0 (the original's
      // try/except IndexError around this loop).
      for (int r = 0; r < numRec; r++) {
        int pi = NumpyMath.searchsortedLeft(rc, total, recThrs[r]);
        sink.precision(t, r, pi < total ? pr[pi] : 0.0);
      }
    }
    return true;
  }
}
