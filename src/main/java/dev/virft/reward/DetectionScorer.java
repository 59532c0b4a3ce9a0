package dev.virft.reward;

import dev.virft.py.PyError;
import dev.virft.py.PyNumbers;
import dev.virft.py.PyText;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The detection rewards of grpo.py: {@code sort_and_calculate_iou} (greedy matching by descending
 * confidence, strict IoU > 0.5), {@code compute_reward_iou_v2} (sum of IoUs over max(#gt, #pred),
 * clipped to ≤ 1) and {@code compute_reward_confidence} (mean of c or 1−c, clipped to [0, 1]). Both
 * rewards run the same pipeline and fail together, so one pass computes both.
 */
public final class DetectionScorer {
  private static final BigInteger ONE = BigInteger.ONE;
  private static final double IOU_THRESHOLD = 0.5;

  private DetectionScorer() {}

  /** Both detection rewards of one completion. */
  public record Scores(double iou, double confidence) {
    static final Scores ZERO = new Scores(0.0, 0.0);
  }

  private record CacheEntry(String completion, String solution, boolean guarded, Scores scores) {}

  private static final ThreadLocal<CacheEntry> LAST = new ThreadLocal<>();

  /**
   * {@link #score}, remembering the last result per thread: accuracy_iou and accuracy_confidence are
   * computed by one pass and are asked for one after the other on the same strings.
   */
  static Scores cachedScore(String completion, String solution, boolean guarded) {
    CacheEntry last = LAST.get();
    if (last != null
        && last.completion() == completion
        && last.solution() == solution
        && last.guarded() == guarded) {
      return last.scores();
    }
    Scores scores = score(completion, solution, guarded);
    LAST.set(new CacheEntry(completion, solution, guarded, scores));
    return scores;
  }

  /**
   * Scores one completion against its solution.
   *
   * @param guarded parse multi-line answers and clamp each confidence to [0, 1] (NaN → 0) first
   */
  public static Scores score(String completion, String solution, boolean guarded) {
    try {
      Object groundTruth = DetectionAnswerParser.extractBbox(PyText.strip(solution));
      Object student =
          DetectionAnswerParser.extractBbox(DetectionAnswerParser.trainingAnswer(completion, guarded));
      if (!(student instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof Map)) {
        return Scores.ZERO; // None, not a list, [] (IndexError) or a first item that is not a dict
      }
      List<Map<String, Object>> preds = DetectionAnswerParser.removeDuplicates(list);
      if (guarded) {
        preds = clampConfidences(preds);
      }
      return rewards(matchByConfidence(groundTruth, preds), len(groundTruth));
    } catch (RuntimeException | StackOverflowError e) {
      // The original's `except Exception: pass`. Modelled Python errors arrive as PyError; anything
      // else would be a gap in this port, and a completion must never stop training.
      return Scores.ZERO;
    }
  }

  /** One prediction after matching: the IoU it scored (int 0 when unmatched) and its raw confidence. */
  record Match(Object iou, Object confidence) {}

  /** {@code sort_and_calculate_iou(gt, pred, 0.5)}. */
  static List<Match> matchByConfidence(Object groundTruth, List<Map<String, Object>> preds) {
    List<Object> gtItems = enumerate(groundTruth);
    List<Map<String, Object>> sorted = sortByConfidenceDescending(preds);
    List<Match> results = new ArrayList<>(sorted.size());
    Set<Integer> matched = new HashSet<>();
    for (Map<String, Object> pred : sorted) {
      Object bestIou = BigInteger.ZERO;
      int best = -1;
      for (int i = 0; i < gtItems.size(); i++) {
        if (!matched.contains(i)) {
          double iou =
              calculateIou(
                  DetectionAnswerParser.getItem(gtItems.get(i), "Position"),
                  DetectionAnswerParser.getItem(pred, "Position"));
          if (PyNumbers.lt(bestIou, iou)) {
            bestIou = iou;
            best = i;
          }
        }
      }
      Object confidence = pred.get("Confidence");
      if (PyNumbers.lt(IOU_THRESHOLD, bestIou)) {
        results.add(new Match(bestIou, confidence));
        matched.add(best);
      } else {
        results.add(new Match(BigInteger.ZERO, confidence));
      }
    }
    return results;
  }

  /** {@code enumerate(x)} over a parsed ground truth: list items, dict keys or characters. */
  private static List<Object> enumerate(Object groundTruth) {
    if (groundTruth == null) {
      throw PyError.typeError("'NoneType' object is not iterable");
    }
    return DetectionAnswerParser.iterate(groundTruth);
  }

  private static int len(Object groundTruth) {
    return enumerate(groundTruth).size();
  }

  /** {@code calculate_iou(bbox1, bbox2)} with Python's int/float/str semantics. */
  static double calculateIou(Object box1, Object box2) {
    List<Object> a = DetectionAnswerParser.unpack4(box1);
    List<Object> b = DetectionAnswerParser.unpack4(box2);
    Object x1 = a.get(0), y1 = a.get(1), x2 = a.get(2), y2 = a.get(3);
    Object x12 = b.get(0), y12 = b.get(1), x22 = b.get(2), y22 = b.get(3);
    Object xi1 = PyNumbers.max(x1, x12);
    Object yi1 = PyNumbers.max(y1, y12);
    Object xi2 = PyNumbers.min(x2, x22);
    Object yi2 = PyNumbers.min(y2, y22);
    if (PyNumbers.le(xi2, xi1) || PyNumbers.le(yi2, yi1)) {
      return 0.0;
    }
    Object inter = PyNumbers.mul(PyNumbers.sub(xi2, xi1), PyNumbers.sub(yi2, yi1));
    Object area1 = PyNumbers.mul(PyNumbers.sub(x2, x1), PyNumbers.sub(y2, y1));
    Object area2 = PyNumbers.mul(PyNumbers.sub(x22, x12), PyNumbers.sub(y22, y12));
    Object union = PyNumbers.sub(PyNumbers.add(area1, area2), inter);
    return PyNumbers.trueDiv(inter, union);
  }

  /**
   * {@code sorted(preds, key=lambda x: x['Confidence'], reverse=True)}. A missing Confidence raises
   * KeyError. A non-numeric confidence makes the original fail either here or in the reward arithmetic
   * that follows, so it raises at once. Without NaN the numbers are totally ordered and any stable sort
   * gives CPython's result; with NaN the order depends on which comparisons timsort makes, so those
   * lists follow CPython's (≤ 3.12) algorithm step by step: exact for fewer than 64 boxes (a single
   * binary-insertion run); 64 or more boxes with NaN sort NaN last, an approximation.
   */
  static List<Map<String, Object>> sortByConfidenceDescending(List<Map<String, Object>> preds) {
    int n = preds.size();
    Object[] keys = new Object[n];
    boolean hasNaN = false;
    for (int i = 0; i < n; i++) {
      keys[i] = DetectionAnswerParser.getItem(preds.get(i), "Confidence");
      if (!PyNumbers.isNumber(keys[i])) {
        throw PyError.typeError("Confidence is a " + PyNumbers.typeName(keys[i]));
      }
      hasNaN |= PyNumbers.isNaN(keys[i]);
    }
    List<Map<String, Object>> items = new ArrayList<>(preds);
    if (hasNaN && n >= MIN_MERGE) {
      // Beyond one run CPython merges runs (galloping); with NaN its result is not reproduced here.
      // NaN sorts last: an n log n approximation that keeps the linear-time bound on huge answers.
      return stableDescending(items, keys, (i, j) -> {
        boolean ni = PyNumbers.isNaN(keys[i]);
        boolean nj = PyNumbers.isNaN(keys[j]);
        if (ni || nj) {
          return Boolean.compare(ni, nj);
        }
        return PyNumbers.compareNumbers(keys[j], keys[i]);
      });
    }
    if (!hasNaN) {
      return stableDescending(items, keys, (i, j) -> PyNumbers.compareNumbers(keys[j], keys[i]));
    }
    List<Object> k = new ArrayList<>(List.of(keys));
    Collections.reverse(k);
    Collections.reverse(items);
    cpythonSmallSort(k, items);
    Collections.reverse(items);
    return items;
  }

  private static final int MIN_MERGE = 64;

  private static List<Map<String, Object>> stableDescending(
      List<Map<String, Object>> items, Object[] keys, java.util.Comparator<Integer> byKeyDescending) {
    List<Integer> order = new ArrayList<>(keys.length);
    for (int i = 0; i < keys.length; i++) {
      order.add(i);
    }
    order.sort(byKeyDescending); // List.sort is stable
    List<Map<String, Object>> out = new ArrayList<>(keys.length);
    for (int i : order) {
      out.add(items.get(i));
    }
    return out;
  }

  /** CPython listsort for one run: count_run (strictly descending runs reversed) + binarysort. */
  private static void cpythonSmallSort(List<Object> keys, List<Map<String, Object>> items) {
    int n = keys.size();
    if (n < 2) {
      return;
    }
    int run = 2;
    if (PyNumbers.lt(keys.get(1), keys.get(0))) {
      while (run < n && PyNumbers.lt(keys.get(run), keys.get(run - 1))) {
        run++;
      }
      Collections.reverse(keys.subList(0, run));
      Collections.reverse(items.subList(0, run));
    } else {
      while (run < n && !PyNumbers.lt(keys.get(run), keys.get(run - 1))) {
        run++;
      }
    }
    for (int start = run; start < n; start++) {
      Object pivot = keys.get(start);
      int l = 0;
      int r = start;
      do {
        int p = l + ((r - l) >> 1);
        if (PyNumbers.lt(pivot, keys.get(p))) {
          r = p;
        } else {
          l = p + 1;
        }
      } while (l < r);
      keys.add(l, keys.remove(start));
      items.add(l, items.remove(start));
    }
  }

  /** {@code compute_reward_iou_v2} and {@code compute_reward_confidence}, then the clipping. */
  static Scores rewards(List<Match> results, int gtCount) {
    double iouSum = 0.0;
    double confidenceSum = 0.0;
    for (Match m : results) {
      iouSum = PyNumbers.toFloat(PyNumbers.add(iouSum, m.iou()));
      Object term;
      if (m.iou() instanceof BigInteger i && i.signum() == 0) {
        term = PyNumbers.mul(PyNumbers.sub(ONE, m.iou()), PyNumbers.sub(ONE, m.confidence()));
      } else {
        term = m.confidence();
      }
      confidenceSum = PyNumbers.toFloat(PyNumbers.add(confidenceSum, term));
    }
    int n = results.size();
    double iouReward = gtCount >= n ? iouSum / gtCount : iouSum / n;
    if (iouReward > 1) {
      iouReward = 1.0;
    }
    double confReward = confidenceSum / n;
    if (confReward > 1) {
      confReward = 1.0;
    }
    if (confReward < 0) {
      confReward = 0.0;
    }
    return new Scores(iouReward, confReward);
  }

  /** Guarded mode: every numeric confidence clamped to [0, 1], NaN to 0. */
  private static List<Map<String, Object>> clampConfidences(List<Map<String, Object>> preds) {
    List<Map<String, Object>> out = new ArrayList<>(preds.size());
    for (Map<String, Object> p : preds) {
      Object c = p.get("Confidence");
      if (c != null && PyNumbers.isNumber(c)) {
        double v = PyNumbers.isInt(c) ? clampInt(PyNumbers.asInt(c)) : (Double) c;
        v = Double.isNaN(v) ? 0.0 : Math.max(0.0, Math.min(1.0, v));
        Map<String, Object> copy = new LinkedHashMap<>(p);
        copy.put("Confidence", v);
        p = copy;
      }
      out.add(p);
    }
    return out;
  }

  private static double clampInt(BigInteger i) {
    return i.signum() <= 0 ? 0.0 : 1.0;
  }
}
