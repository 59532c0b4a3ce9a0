package dev.virft.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pycocotools' {@code COCOeval} for iouType "bbox" (evaluate, accumulate, summarize), written to
 * give the same doubles: stable score sorts, the crowd rules, closed area ranges, the
 * {@code tp + fp + eps} precision, ground-truth id 0 read as "unmatched", categories without
 * ground truth at -1 and left out of every mean, and numpy's pairwise mean.
 *
 * <p>Usage: {@code new CocoEval(gt, CocoResults.load(gt, file)).run()}, then {@link #stats()},
 * {@link #perClassAp()} or {@link #meanAp(List)}.
 *
 * <p>Over 400 lines on purpose: it follows cocoeval.py's evaluateImg / accumulate / summarize in one
 * file, in the original's order, so the two can be read side by side line for line.
 */
public final class CocoEval {
  public static final List<String> STAT_NAMES =
      List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");

  /** {@code Params(iouType='bbox')}; imgIds and catIds default to all of the ground truth. */
  public static final class Params {
    public double[] iouThrs = NumpyMath.linspace(0.5, 0.95, 10);
    public double[] recThrs = NumpyMath.linspace(0.0, 1.0, 101);
    public int[] maxDets = {1, 10, 100};
    public double[][] areaRng = {{0, 1e10}, {0, 1024}, {1024, 9216}, {9216, 1e10}};
    public String[] areaRngLbl = {"all", "small", "medium", "large"};
    public long[] imgIds;
    public long[] catIds;
  }

  private record Key(long imageId, long categoryId) {}

  private final DetectionDataset gt;
  private final DetectionDataset dt;
  private final Params params = new Params();
  private final Map<Key, List<Detection>> gts = new HashMap<>();
  private final Map<Key, List<Detection>> dts = new HashMap<>();
  private final Map<Key, double[][]> ious = new HashMap<>();
  /** evalImgs[k][a]: the non-None evaluateImg results of category k, area a, in image order. */
  private List<List<ImageEvaluation>> evalImgs;
  private long[] imgIds;
  private long[] catIds;
  private double[] precision;
  private double[] recall;
  private double[] stats;

  public CocoEval(DetectionDataset gt, DetectionDataset dt) {
    this.gt = gt;
    this.dt = dt;
    params.imgIds = gt.sortedImageIds();
    params.catIds = gt.sortedCategoryIds();
  }

  public Params params() {
    return params;
  }

  /** evaluate + accumulate + summarize; returns this. */
  public CocoEval run() {
    evaluate();
    accumulate();
    summarize();
    return this;
  }

  public void evaluate() {
    imgIds = Arrays.stream(params.imgIds).distinct().sorted().toArray();
    catIds = Arrays.stream(params.catIds).distinct().sorted().toArray();
    Arrays.sort(params.maxDets);
    prepare();
    int maxDet = params.maxDets[params.maxDets.length - 1];
    long[][] withData = imagesWithData();
    evalImgs = new ArrayList<>();
    for (int k = 0; k < catIds.length; k++) {
      long cat = catIds[k];
      for (long img : withData[k]) {
        ious.put(new Key(img, cat), computeIou(img, cat, maxDet));
      }
      for (double[] aRng : params.areaRng) {
        List<ImageEvaluation> list = new ArrayList<>(withData[k].length);
        for (long img : withData[k]) {
          list.add(evaluateImg(img, cat, aRng, maxDet));
        }
        evalImgs.add(list);
      }
    }
  }

  /**
   * For each category (K order), the sorted images where it has ground truth or detections: the
   * only (image, category) pairs whose evaluateImg is not None. Skipping the others keeps LVIS
   * (~20k images x 1203 categories) in memory and time; the pooled order (by image) is unchanged.
   */
  private long[][] imagesWithData() {
    Map<Long, java.util.TreeSet<Long>> byCat = new HashMap<>();
    for (Key key : gts.keySet()) {
      byCat.computeIfAbsent(key.categoryId(), c -> new java.util.TreeSet<>()).add(key.imageId());
    }
    for (Key key : dts.keySet()) {
      byCat.computeIfAbsent(key.categoryId(), c -> new java.util.TreeSet<>()).add(key.imageId());
    }
    long[][] out = new long[catIds.length][];
    for (int k = 0; k < catIds.length; k++) {
      java.util.TreeSet<Long> s = byCat.get(catIds[k]);
      out[k] = s == null ? new long[0] : s.stream().mapToLong(Long::longValue).toArray();
    }
    return out;
  }

  private void prepare() {
    gts.clear();
    dts.clear();
    for (Detection g : load(gt)) {
      gts.computeIfAbsent(new Key(g.imageId, g.categoryId), k -> new ArrayList<>()).add(g);
    }
    for (Detection d : load(dt)) {
      dts.computeIfAbsent(new Key(d.imageId, d.categoryId), k -> new ArrayList<>()).add(d);
    }
  }

  /** {@code loadAns(getAnnIds(imgIds, catIds))}: image order, then file order; ids looked up again. */
  private List<Detection> load(DetectionDataset ds) {
    java.util.Set<Long> cats = new java.util.HashSet<>();
    for (long c : catIds) {
      cats.add(c);
    }
    List<Detection> out = new ArrayList<>();
    for (long img : imgIds) {
      for (Detection a : ds.annotationsOfImage(img)) {
        if (catIds.length == 0 || cats.contains(a.categoryId)) {
          out.add(ds.annotation(a.id));
        }
      }
    }
    return out;
  }

  private List<Detection> sortedByScore(List<Detection> dets, int limit) {
    double[] scores = new double[dets.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = dets.get(i).score;
    }
    int[] order = NumpyMath.stableArgsortDescending(scores, scores.length);
    List<Detection> out = new ArrayList<>(Math.min(limit, order.length));
    for (int i = 0; i < order.length && i < limit; i++) {
      out.add(dets.get(order[i]));
    }
    return out;
  }

  private double[][] computeIou(long img, long cat, int maxDet) {
    List<Detection> g = gts.getOrDefault(new Key(img, cat), List.of());
    List<Detection> d = dts.getOrDefault(new Key(img, cat), List.of());
    if (g.isEmpty() || d.isEmpty()) {
      return new double[0][0];
    }
    List<Detection> ds = sortedByScore(d, maxDet);
    int[] iscrowd = new int[g.size()];
    for (int i = 0; i < iscrowd.length; i++) {
      iscrowd[i] = g.get(i).iscrowd;
    }
    return BoxIou.matrix(ds, g, iscrowd);
  }

  private ImageEvaluation evaluateImg(long img, long cat, double[] aRng, int maxDet) {
    List<Detection> g0 = gts.getOrDefault(new Key(img, cat), List.of());
    List<Detection> d0 = dts.getOrDefault(new Key(img, cat), List.of());
    if (g0.isEmpty() && d0.isEmpty()) {
      return null;
    }
    int nG = g0.size();
    // _prepare sets ignore = iscrowd; out-of-range areas are ignored too (closed range).
    int[] ignore0 = new int[nG];
    for (int i = 0; i < nG; i++) {
      Detection g = g0.get(i);
      ignore0[i] = (g.iscrowd != 0 || g.area < aRng[0] || g.area > aRng[1]) ? 1 : 0;
    }
    // Stable: non-ignored ground truth first, file order kept within each group.
    int[] gtind = new int[nG];
    int p = 0;
    for (int pass = 0; pass <= 1; pass++) {
      for (int i = 0; i < nG; i++) {
        if (ignore0[i] == pass) {
          gtind[p++] = i;
        }
      }
    }
    List<Detection> g = new ArrayList<>(nG);
    int[] gtIg = new int[nG];
    int[] iscrowd = new int[nG];
    for (int i = 0; i < nG; i++) {
      g.add(g0.get(gtind[i]));
      gtIg[i] = ignore0[gtind[i]];
      iscrowd[i] = g.get(i).iscrowd;
    }
    List<Detection> d = sortedByScore(d0, maxDet);
    int nD = d.size();
    double[][] iouAll = ious.get(new Key(img, cat));
    int nT = params.iouThrs.length;
    boolean[][] gtm = new boolean[nT][nG];
    boolean[][] dtMatched = new boolean[nT][nD];
    boolean[][] dtIg = new boolean[nT][nD];
    if (iouAll.length > 0) {
      for (int t = 0; t < nT; t++) {
        for (int di = 0; di < nD; di++) {
          double iou = Math.min(params.iouThrs[t], 1 - 1e-10);
          int m = -1;
          for (int gi = 0; gi < nG; gi++) {
            if (gtm[t][gi] && iscrowd[gi] == 0) {
              continue;
            }
            if (m > -1 && gtIg[m] == 0 && gtIg[gi] == 1) {
              break;
            }
            double v = iouAll[di][gtind[gi]];
            if (v < iou) {
              continue;
            }
            iou = v;
            m = gi;
          }
          if (m == -1) {
            continue;
          }
          dtIg[t][di] = gtIg[m] != 0;
          dtMatched[t][di] = g.get(m).id != 0; // dtm holds the gt id; 0 reads as unmatched
          gtm[t][m] = true; // holds the detection id, always >= 1 after loadRes
        }
      }
    }
    double[] scores = new double[nD];
    for (int di = 0; di < nD; di++) {
      Detection det = d.get(di);
      scores[di] = det.score;
      boolean outside = det.area < aRng[0] || det.area > aRng[1];
      for (int t = 0; t < nT; t++) {
        dtIg[t][di] = dtIg[t][di] || (!dtMatched[t][di] && outside);
      }
    }
    return new ImageEvaluation(scores, dtMatched, dtIg, gtIg);
  }

  public void accumulate() {
    if (evalImgs == null) {
      throw new IllegalStateException("call evaluate() first");
    }
    int nT = params.iouThrs.length, nR = params.recThrs.length, nK = catIds.length;
    int nA = params.areaRng.length, nM = params.maxDets.length;
    precision = new double[nT * nR * nK * nA * nM];
    recall = new double[nT * nK * nA * nM];
    Arrays.fill(precision, -1);
    Arrays.fill(recall, -1);
    for (int k = 0; k < nK; k++) {
      for (int a = 0; a < nA; a++) {
        List<ImageEvaluation> e = evalImgs.get(k * nA + a);
        if (e.isEmpty()) {
          continue;
        }
        for (int m = 0; m < nM; m++) {
          final int fk = k, fa = a, fm = m;
          PrecisionAccumulator.accumulate(e, params.maxDets[m], nT, params.recThrs,
              new PrecisionAccumulator.Sink() {
                @Override
                public void precision(int t, int r, double value) {
                  precision[pIndex(t, r, fk, fa, fm)] = value;
                }

                @Override
                public void recall(int t, double value) {
                  recall[rIndex(t, fk, fa, fm)] = value;
                }
              });
        }
      }
    }
  }

  private int pIndex(int t, int r, int k, int a, int m) {
    return (((t * params.recThrs.length + r) * catIds.length + k) * params.areaRng.length + a)
            * params.maxDets.length + m;
  }

  private int rIndex(int t, int k, int a, int m) {
    return ((t * catIds.length + k) * params.areaRng.length + a) * params.maxDets.length + m;
  }

  /** The 12 stats in {@link #STAT_NAMES} order. */
  public double[] summarize() {
    if (precision == null) {
      throw new IllegalStateException("call accumulate() first");
    }
    int[] md = params.maxDets;
    int last = md.length - 1;
    stats = new double[] {
      summarizeOne(true, null, "all", 100),
      summarizeOne(true, 0.5, "all", md[Math.min(2, last)]),
      summarizeOne(true, 0.75, "all", md[Math.min(2, last)]),
      summarizeOne(true, null, "small", md[Math.min(2, last)]),
      summarizeOne(true, null, "medium", md[Math.min(2, last)]),
      summarizeOne(true, null, "large", md[Math.min(2, last)]),
      summarizeOne(false, null, "all", md[0]),
      summarizeOne(false, null, "all", md[Math.min(1, last)]),
      summarizeOne(false, null, "all", md[Math.min(2, last)]),
      summarizeOne(false, null, "small", md[Math.min(2, last)]),
      summarizeOne(false, null, "medium", md[Math.min(2, last)]),
      summarizeOne(false, null, "large", md[Math.min(2, last)]),
    };
    return stats.clone();
  }

  private double summarizeOne(boolean ap, Double iouThr, String areaLbl, int maxDets) {
    int nT = params.iouThrs.length, nR = params.recThrs.length, nK = catIds.length;
    List<Integer> ts = new ArrayList<>();
    for (int t = 0; t < nT; t++) {
      if (iouThr == null || params.iouThrs[t] == iouThr) {
        ts.add(t);
      }
    }
    List<Integer> as = new ArrayList<>();
    for (int a = 0; a < params.areaRngLbl.length; a++) {
      if (params.areaRngLbl[a].equals(areaLbl)) {
        as.add(a);
      }
    }
    List<Integer> ms = new ArrayList<>();
    for (int m = 0; m < params.maxDets.length; m++) {
      if (params.maxDets[m] == maxDets) {
        ms.add(m);
      }
    }
    // numpy pairs the two index lists (aind, mind) element-wise; both have one entry in practice.
    int pairs = Math.min(as.size(), ms.size());
    double[] kept = new double[ap ? ts.size() * nR * nK * pairs : ts.size() * nK * pairs];
    int n = 0;
    for (int t : ts) {
      if (ap) {
        for (int r = 0; r < nR; r++) {
          for (int k = 0; k < nK; k++) {
            for (int j = 0; j < pairs; j++) {
              double v = precision[pIndex(t, r, k, as.get(j), ms.get(j))];
              if (v > -1) {
                kept[n++] = v;
              }
            }
          }
        }
      } else {
        for (int k = 0; k < nK; k++) {
          for (int j = 0; j < pairs; j++) {
            double v = recall[rIndex(t, k, as.get(j), ms.get(j))];
            if (v > -1) {
              kept[n++] = v;
            }
          }
        }
      }
    }
    return n == 0 ? -1 : NumpyMath.mean(kept, n);
  }

  /** The 12 stats of the last {@link #summarize()}. */
  public double[] stats() {
    if (stats == null) {
      throw new IllegalStateException("call summarize() first");
    }
    return stats.clone();
  }

  /** The category ids along the K axis (sorted). */
  public long[] categoryIds() {
    return catIds.clone();
  }

  /** precision[t, r, k, a, m] as in {@code self.eval['precision']}; -1 where undefined. */
  public double precision(int t, int r, int k, int a, int m) {
    return precision[pIndex(t, r, k, a, m)];
  }

  /** recall[t, k, a, m]. */
  public double recall(int t, int k, int a, int m) {
    return recall[rIndex(t, k, a, m)];
  }

  /**
   * Visual-RFT's per-class AP (coco_evaluation.py): {@code mean(precision[:, :, k, 0, -1][> -1]) *
   * 100}, i.e. IoU .50:.95, area "all", the largest maxDets. NaN when the category has no ground
   * truth (the original's {@code float("nan")}).
   */
  public double perClassAp(int k) {
    int nT = params.iouThrs.length, nR = params.recThrs.length;
    double[] kept = new double[nT * nR];
    int n = 0;
    for (int t = 0; t < nT; t++) {
      for (int r = 0; r < nR; r++) {
        double v = precision[pIndex(t, r, k, 0, params.maxDets.length - 1)];
        if (v > -1) {
          kept[n++] = v;
        }
      }
    }
    return n == 0 ? Double.NaN : NumpyMath.mean(kept, n) * 100;
  }

  /** Per-class AP (×100) by category id, in sorted-id order. */
  public Map<Long, Double> perClassAp() {
    Map<Long, Double> out = new LinkedHashMap<>();
    for (int k = 0; k < catIds.length; k++) {
      out.put(catIds[k], perClassAp(k));
    }
    return out;
  }

  /**
   * Visual-RFT's reported mAP (evaluation.ipynb): the per-class AP of every category whose name is
   * in {@code names}, summed in category order and divided by the number of names.
   */
  public double meanAp(List<String> names) {
    return SelectedCategories.meanAp(names, catIds, gt, this::perClassAp);
  }
}
