package dev.virft.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * lvis-api's {@code LVISEval} for iouType "bbox": the federated protocol. A detection of a
 * category that is neither annotated in the image nor in its neg_category_ids is dropped;
 * unmatched detections of a not_exhaustive category are ignored; no crowd logic; the file's
 * "ignore" flag is kept; annotations with area &lt;= 0 are dropped (get_ann_ids' area filter); the
 * 300-per-image cut happens in {@link LvisResults}. Same rounding as the original (stable sorts,
 * eps in precision, numpy's pairwise mean).
 *
 * <p>Over 400 lines on purpose: it follows lvis-api's eval.py in one file, in the original's order, so
 * the two can be read side by side line for line.
 */
public final class LvisEval {
  /** Result keys, in lvis-api's order (the AR keys carry the per-image detection limit). */
  public static List<String> resultNames(int maxDets) {
    String s = "@" + maxDets;
    return List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "APr", "APc", "APf",
        "AR" + s, "ARs" + s, "ARm" + s, "ARl" + s);
  }

  /** lvis-api Params (bbox). */
  public static final class Params {
    public double[] iouThrs = NumpyMath.linspace(0.5, 0.95, 10);
    public double[] recThrs = NumpyMath.linspace(0.0, 1.0, 101);
    /** Only names the AR keys; the cut itself is applied by LvisResults. */
    public int maxDets = LvisResults.DEFAULT_MAX_DETS;
    public double[][] areaRng = {{0, 1e10}, {0, 1024}, {1024, 9216}, {9216, 1e10}};
    public String[] areaRngLbl = {"all", "small", "medium", "large"};
    public long[] imgIds;
    public long[] catIds;
  }

  private static final String[] FREQUENCIES = {"r", "c", "f"};

  private record Key(long imageId, long categoryId) {}

  private final DetectionDataset gt;
  private final DetectionDataset dt;
  private final Params params = new Params();
  private final Map<Key, List<Detection>> gts = new HashMap<>();
  private final Map<Key, List<Detection>> dts = new HashMap<>();
  private final Map<Key, double[][]> ious = new HashMap<>();
  private final Map<Long, Set<Long>> notExhaustive = new HashMap<>();
  private List<List<Integer>> freqGroups;
  /** evalImgs[k][a]: the non-None evaluateImg results of category k, area a, in image order. */
  private List<List<ImageEvaluation>> evalImgs;
  private long[] imgIds;
  private long[] catIds;
  private double[] precision;
  private double[] recall;
  private Map<String, Double> results;

  public LvisEval(DetectionDataset gt, DetectionDataset dt) {
    this.gt = gt;
    this.dt = dt;
    params.imgIds = gt.sortedImageIds();
    params.catIds = gt.sortedCategoryIds();
  }

  public Params params() {
    return params;
  }

  /** evaluate + accumulate + summarize, as {@code LVISEval.run()}; returns this. */
  public LvisEval run() {
    evaluate();
    accumulate();
    summarize();
    return this;
  }

  public void evaluate() {
    imgIds = Arrays.stream(params.imgIds).distinct().sorted().toArray();
    catIds = params.catIds.clone();
    prepare();
    long[][] withData = imagesWithData();
    evalImgs = new ArrayList<>();
    for (int k = 0; k < catIds.length; k++) {
      long cat = catIds[k];
      for (long img : withData[k]) {
        ious.put(new Key(img, cat), computeIou(img, cat));
      }
      for (double[] aRng : params.areaRng) {
        List<ImageEvaluation> list = new ArrayList<>(withData[k].length);
        for (long img : withData[k]) {
          list.add(evaluateImg(img, cat, aRng));
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
    notExhaustive.clear();
    List<Detection> gtList = load(gt);
    Map<Long, Set<Long>> present = new HashMap<>();
    for (Detection g : gtList) {
      gts.computeIfAbsent(new Key(g.imageId, g.categoryId), k -> new ArrayList<>()).add(g);
      present.computeIfAbsent(g.imageId, k -> new HashSet<>()).add(g.categoryId);
    }
    Map<Long, Set<Long>> negative = new HashMap<>();
    for (long img : imgIds) {
      DetectionDataset.Image info = gt.images().get(img);
      negative.put(img, toSet(info.negCategoryIds()));
      notExhaustive.put(img, toSet(info.notExhaustiveCategoryIds()));
    }
    for (Detection d : load(dt)) {
      boolean known = negative.get(d.imageId).contains(d.categoryId)
          || present.getOrDefault(d.imageId, Set.of()).contains(d.categoryId);
      if (known) {
        dts.computeIfAbsent(new Key(d.imageId, d.categoryId), k -> new ArrayList<>()).add(d);
      }
    }
    freqGroups = new ArrayList<>();
    for (int f = 0; f < FREQUENCIES.length; f++) {
      freqGroups.add(new ArrayList<>());
    }
    for (int k = 0; k < catIds.length; k++) {
      String freq = gt.categories().get(catIds[k]).frequency();
      freqGroups.get(Arrays.asList(FREQUENCIES).indexOf(freq)).add(k);
    }
  }

  private static Set<Long> toSet(long[] ids) {
    Set<Long> s = new HashSet<>();
    if (ids != null) {
      for (long id : ids) {
        s.add(id);
      }
    }
    return s;
  }

  /**
   * {@code load_anns(get_ann_ids(img_ids, cat_ids))}: with cat_ids given, get_ann_ids also keeps
   * only 0 &lt; area &lt; inf.
   */
  private List<Detection> load(DetectionDataset ds) {
    Set<Long> cats = toSet(catIds);
    boolean filter = catIds.length > 0; // lvis-api passes cat_ids=None when the list is empty
    List<Detection> out = new ArrayList<>();
    for (long img : imgIds) {
      for (Detection a : ds.annotationsOfImage(img)) {
        if (!filter || (cats.contains(a.categoryId) && a.area > 0 && a.area < Double.POSITIVE_INFINITY)) {
          out.add(ds.annotation(a.id));
        }
      }
    }
    return out;
  }

  private static List<Detection> sortedByScore(List<Detection> dets) {
    double[] scores = new double[dets.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = dets.get(i).score;
    }
    int[] order = NumpyMath.stableArgsortDescending(scores, scores.length);
    List<Detection> out = new ArrayList<>(order.length);
    for (int i : order) {
      out.add(dets.get(i));
    }
    return out;
  }

  private double[][] computeIou(long img, long cat) {
    List<Detection> g = gts.getOrDefault(new Key(img, cat), List.of());
    List<Detection> d = dts.getOrDefault(new Key(img, cat), List.of());
    if (g.isEmpty() || d.isEmpty()) {
      return new double[0][0];
    }
    return BoxIou.matrix(sortedByScore(d), g, null);
  }

  private ImageEvaluation evaluateImg(long img, long cat, double[] aRng) {
    List<Detection> g0 = gts.getOrDefault(new Key(img, cat), List.of());
    List<Detection> d0 = dts.getOrDefault(new Key(img, cat), List.of());
    if (g0.isEmpty() && d0.isEmpty()) {
      return null;
    }
    int nG = g0.size();
    int[] ignore0 = new int[nG];
    for (int i = 0; i < nG; i++) {
      Detection g = g0.get(i);
      ignore0[i] = (g.ignore || g.area < aRng[0] || g.area > aRng[1]) ? 1 : 0;
    }
    int[] gtind = new int[nG];
    int p = 0;
    for (int pass = 0; pass <= 1; pass++) {
      for (int i = 0; i < nG; i++) {
        if (ignore0[i] == pass) {
          gtind[p++] = i;
        }
      }
    }
    int[] gtIg = new int[nG];
    long[] gtId = new long[nG];
    for (int i = 0; i < nG; i++) {
      gtIg[i] = ignore0[gtind[i]];
      gtId[i] = g0.get(gtind[i]).id;
    }
    List<Detection> d = sortedByScore(d0);
    int nD = d.size();
    double[][] iouAll = ious.get(new Key(img, cat));
    int nT = params.iouThrs.length;
    boolean[][] gtm = new boolean[nT][nG];
    boolean[][] dtMatched = new boolean[nT][nD];
    boolean[][] dtIg = new boolean[nT][nD];
    for (int t = 0; t < nT && iouAll.length > 0; t++) {
      for (int di = 0; di < nD; di++) {
        double iou = Math.min(params.iouThrs[t], 1 - 1e-10);
        int m = -1;
        for (int gi = 0; gi < nG; gi++) {
          if (gtm[t][gi]) {
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
        dtMatched[t][di] = gtId[m] != 0;
        gtm[t][m] = true;
      }
    }
    Set<Long> nel = notExhaustive.get(img);
    double[] scores = new double[nD];
    for (int di = 0; di < nD; di++) {
      Detection det = d.get(di);
      scores[di] = det.score;
      boolean mask = det.area < aRng[0] || det.area > aRng[1] || nel.contains(det.categoryId);
      for (int t = 0; t < nT; t++) {
        dtIg[t][di] = dtIg[t][di] || (!dtMatched[t][di] && mask);
      }
    }
    return new ImageEvaluation(scores, dtMatched, dtIg, gtIg);
  }

  public void accumulate() {
    if (evalImgs == null) {
      throw new IllegalStateException("call evaluate() first");
    }
    int nT = params.iouThrs.length, nR = params.recThrs.length, nK = catIds.length;
    int nA = params.areaRng.length;
    precision = new double[nT * nR * nK * nA];
    recall = new double[nT * nK * nA];
    Arrays.fill(precision, -1);
    Arrays.fill(recall, -1);
    for (int k = 0; k < nK; k++) {
      for (int a = 0; a < nA; a++) {
        List<ImageEvaluation> e = evalImgs.get(k * nA + a);
        if (e.isEmpty()) {
          continue;
        }
        final int fk = k, fa = a;
        PrecisionAccumulator.accumulate(e, Integer.MAX_VALUE, nT, params.recThrs,
            new PrecisionAccumulator.Sink() {
              @Override
              public void precision(int t, int r, double value) {
                precision[pIndex(t, r, fk, fa)] = value;
              }

              @Override
              public void recall(int t, double value) {
                recall[rIndex(t, fk, fa)] = value;
              }
            });
      }
    }
  }

  private int pIndex(int t, int r, int k, int a) {
    return ((t * params.recThrs.length + r) * catIds.length + k) * params.areaRng.length + a;
  }

  private int rIndex(int t, int k, int a) {
    return (t * catIds.length + k) * params.areaRng.length + a;
  }

  /** The results in {@link #resultNames} order (-1 where undefined). */
  public Map<String, Double> summarize() {
    if (precision == null) {
      throw new IllegalStateException("call accumulate() first");
    }
    List<String> names = resultNames(params.maxDets);
    double[] v = {
      summarizeAp(null, "all", null),
      summarizeAp(0.5, "all", null),
      summarizeAp(0.75, "all", null),
      summarizeAp(null, "small", null),
      summarizeAp(null, "medium", null),
      summarizeAp(null, "large", null),
      summarizeAp(null, "all", 0),
      summarizeAp(null, "all", 1),
      summarizeAp(null, "all", 2),
      summarizeAr("all"),
      summarizeAr("small"),
      summarizeAr("medium"),
      summarizeAr("large"),
    };
    results = new LinkedHashMap<>();
    for (int i = 0; i < v.length; i++) {
      results.put(names.get(i), v[i]);
    }
    return results();
  }

  public Map<String, Double> results() {
    if (results == null) {
      throw new IllegalStateException("call summarize() first");
    }
    return new LinkedHashMap<>(results);
  }

  private int areaIndex(String lbl) {
    return Arrays.asList(params.areaRngLbl).indexOf(lbl);
  }

  private double summarizeAp(Double iouThr, String areaLbl, Integer freqGroup) {
    int nT = params.iouThrs.length, nR = params.recThrs.length;
    int a = areaIndex(areaLbl);
    List<Integer> ks = new ArrayList<>();
    if (freqGroup != null) {
      ks.addAll(freqGroups.get(freqGroup));
    } else {
      for (int k = 0; k < catIds.length; k++) {
        ks.add(k);
      }
    }
    double[] kept = new double[nT * nR * ks.size()];
    int n = 0;
    for (int t = 0; t < nT; t++) {
      if (iouThr != null && params.iouThrs[t] != iouThr) {
        continue;
      }
      for (int r = 0; r < nR; r++) {
        for (int k : ks) {
          double v = precision[pIndex(t, r, k, a)];
          if (v > -1) {
            kept[n++] = v;
          }
        }
      }
    }
    return n == 0 ? -1 : NumpyMath.mean(kept, n);
  }

  private double summarizeAr(String areaLbl) {
    int nT = params.iouThrs.length;
    int a = areaIndex(areaLbl);
    double[] kept = new double[nT * catIds.length];
    int n = 0;
    for (int t = 0; t < nT; t++) {
      for (int k = 0; k < catIds.length; k++) {
        double v = recall[rIndex(t, k, a)];
        if (v > -1) {
          kept[n++] = v;
        }
      }
    }
    return n == 0 ? -1 : NumpyMath.mean(kept, n);
  }

  /** The category ids along the K axis (sorted). */
  public long[] categoryIds() {
    return catIds.clone();
  }

  /** precision[t, r, k, a] as in {@code eval['precision']}; -1 where undefined. */
  public double precision(int t, int r, int k, int a) {
    return precision[pIndex(t, r, k, a)];
  }

  /**
   * The Visual-RFT LVIS notebook's per-class figure: {@code mean(precision[:, :, k, :][> -1]) *
   * 100}, i.e. averaged over all four area ranges (unlike LVIS AP, which uses area "all" only).
   * NaN when the category has no ground truth. The notebook indexes k by the file's category
   * order; here k is the category's position on the (sorted-id) K axis, which is the same for
   * files whose categories are sorted by id, as lvis_v1_val.json's are.
   */
  public double perClassAreaAveragedAp(int k) {
    int nT = params.iouThrs.length, nR = params.recThrs.length, nA = params.areaRng.length;
    double[] kept = new double[nT * nR * nA];
    int n = 0;
    for (int t = 0; t < nT; t++) {
      for (int r = 0; r < nR; r++) {
        for (int a = 0; a < nA; a++) {
          double v = precision[pIndex(t, r, k, a)];
          if (v > -1) {
            kept[n++] = v;
          }
        }
      }
    }
    return n == 0 ? Double.NaN : NumpyMath.mean(kept, n) * 100;
  }

  /** {@link #perClassAreaAveragedAp(int)} by category id, in sorted-id order. */
  public Map<Long, Double> perClassAreaAveragedAp() {
    Map<Long, Double> out = new LinkedHashMap<>();
    for (int k = 0; k < catIds.length; k++) {
      out.put(catIds[k], perClassAreaAveragedAp(k));
    }
    return out;
  }

  /** The notebook's mAP over chosen category names (sum of the per-class figure / #names). */
  public double meanAreaAveragedAp(List<String> names) {
    return SelectedCategories.meanAp(names, catIds, gt, this::perClassAreaAveragedAp);
  }
}
