package dev.virft.demo;

import dev.virft.data.Sample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lays out {@code virft demo}'s report: per task family the table over seeds (mean ± std), the per-seed
 * table, a sentence saying what the numbers show, the GRPO reward curve and the SFT loss of the first
 * seed, and test images with each model's boxes (detection) or answers (classification).
 */
final class DemoReportWriter {
  private final DemoRunner.Settings s;
  private final List<DemoRunner.TaskRun> runs;
  private final double seconds;

  DemoReportWriter(DemoRunner.Settings s, List<DemoRunner.TaskRun> runs, double seconds) {
    this.s = s;
    this.runs = runs;
    this.seconds = seconds;
  }

  private static String range(int lo, int hi) {
    return lo == hi ? Integer.toString(lo) : lo + "–" + hi;
  }

  void write(Path file) {
    DemoReport r = new DemoReport("virft demo — Visual-RFT on a tiny Qwen2-VL (seeds " + s.seeds + ")");
    r.note(
        String.format(
            Locale.ROOT,
            "Synthetic shapes on a 4×4 grid. The base model was pre-trained on single shapes of 12"
                + " colour/kind categories, and on scenes of several shapes of 8 of them; the few-shot rows"
                + " show the other 4 (%s) in a setting it never saw (detection: scenes of %s shapes of the"
                + " category and %s others; classification: shapes drawn smaller). Held-out %s split: %d"
                + " prompts per category of %s in that setting. GRPO: %d samples per prompt, the"
                + " original's rewards. Wall time %.0f s.",
            String.join(", ", DemoData.TARGET_CATEGORIES), range(s.targetScene.minInstances(), s.targetScene.maxInstances()),
            range(s.targetScene.minDistractors(), s.targetScene.maxDistractors()), s.onValidation ? "validation" : "test",
            s.testPerCategory,
            s.tasks.stream().allMatch(k -> s.arm(k).allCategories) ? "all 12 categories" : "the few-shot categories",
            s.numGenerations, seconds));
    for (DemoData.Kind kind : s.tasks) {
      List<DemoRunner.TaskRun> mine = runs.stream().filter(x -> x.kind() == kind).toList();
      if (mine.isEmpty()) continue;
      DemoRunner.Arm arm = s.arm(kind);
      r.section(kind == DemoData.Kind.DETECTION ? "Detection" : "Classification");
      r.note(
          String.format(
              Locale.ROOT,
              "%d few-shot rows per category. GRPO %d steps × %d prompts at lr %s, temperature %s, beta %s,"
                  + " rewards %s; SFT %d steps × %d rows at lr %s.",
              s.shots(kind), arm.grpoSteps, s.promptsPerStep(kind), lr(arm.grpoLearningRate), lr(s.temperature(kind)),
              lr(s.beta(kind)),
              kind == DemoData.Kind.DETECTION ? "accuracy_iou + accuracy_confidence + format" : "accuracy + format",
              arm.sftSteps, s.sftBatch, lr(arm.sftLearningRate)));
      r.note(verdict(kind, mine));
      r.table("Mean ± std over seeds " + mine.stream().map(DemoRunner.TaskRun::seed).toList(), meanStdTable(mine));
      r.table("Per seed", perSeedTable(mine));
      if (!mine.get(0).groups().isEmpty()) {
        r.table("The same answers by category: the 4 the few-shot rows show, the 8 they do not (mean ± std over"
            + " seeds)", groupTable(mine));
      }
      DemoRunner.TaskRun first = mine.get(0);
      List<DemoReport.Series> curves = new ArrayList<>();
      for (Map.Entry<String, List<double[]>> c : DemoRunner.rewardCurves(kind, first.rftDir()).entrySet()) {
        curves.add(new DemoReport.Series(c.getKey(), c.getValue()));
      }
      r.chart(
          "GRPO: mean reward per step, seed " + first.seed() + " (max " + (kind == DemoData.Kind.DETECTION ? 3 : 2) + ")",
          curves);
      List<double[]> sftLoss = DemoRunner.curve(first.sftDir(), "loss");
      if (!sftLoss.isEmpty()) r.chart("SFT: loss per step, seed " + first.seed(), List.of(new DemoReport.Series("loss", sftLoss)));
      examples(r, kind, first);
    }
    r.write(file);
  }

  /** 2e-4, 0.04, 1: short and exact for the settings' usual values. */
  static String lr(double v) {
    String plain = java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    if (plain.length() <= 6) return plain;
    return String.format(Locale.ROOT, "%.1e", v).replace(".0e", "e").replace("e-0", "e-");
  }

  /** One sentence: whether RFT came out above SFT and the base on each headline metric, by how much. */
  static String verdict(DemoData.Kind kind, List<DemoRunner.TaskRun> mine) {
    List<String> headline = kind == DemoData.Kind.DETECTION ? List.of("mAP", "IoU reward") : List.of("accuracy");
    List<String> parts = new ArrayList<>();
    boolean all = true;
    for (String col : headline) {
      for (int other = 0; other < 2; other++) {
        double[] d = new double[mine.size()];
        for (int i = 0; i < mine.size(); i++) {
          d[i] = mine.get(i).metrics().get(2).get(col) - mine.get(i).metrics().get(other).get(col);
        }
        double mean = 0, var = 0;
        for (double x : d) mean += x / d.length;
        for (double x : d) var += (x - mean) * (x - mean) / d.length;
        double sd = Math.sqrt(var);
        boolean clear = mean > 0 && (d.length == 1 || mean > 2 * sd);
        all &= clear;
        parts.add(String.format(Locale.ROOT, "%s %+.3f ± %.3f vs %s", col, mean, sd, DemoRunner.MODELS[other]));
      }
    }
    return (all
            ? "RFT came out above both SFT and the base model on the headline metrics"
            : "RFT did not come out clearly above both SFT and the base model on every headline metric")
        + " (RFT minus the other model, mean ± std over " + mine.size() + " seed" + (mine.size() > 1 ? "s" : "")
        + (mine.size() > 1 ? "; clear means the mean exceeds twice the std" : "") + "): "
        + String.join("; ", parts) + ".";
  }

  private static List<List<String>> meanStdTable(List<DemoRunner.TaskRun> mine) {
    List<String> cols = mine.get(0).metrics().get(0).columns();
    List<List<String>> t = new ArrayList<>();
    List<String> head = new ArrayList<>(List.of("model"));
    head.addAll(cols);
    t.add(head);
    for (int m = 0; m < DemoRunner.MODELS.length; m++) {
      List<DemoMetrics> per = new ArrayList<>();
      for (DemoRunner.TaskRun run : mine) per.add(run.metrics().get(m));
      double[][] ms = DemoMetrics.meanStd(per);
      List<String> row = new ArrayList<>(List.of(DemoRunner.MODELS[m]));
      for (int j = 0; j < cols.size(); j++) row.add(String.format(Locale.ROOT, "%.4f ± %.4f", ms[0][j], ms[1][j]));
      t.add(row);
    }
    return t;
  }

  private static List<List<String>> groupTable(List<DemoRunner.TaskRun> mine) {
    List<String> cols = mine.get(0).groups().get(0).columns();
    List<List<String>> t = new ArrayList<>();
    List<String> head = new ArrayList<>(List.of("model (categories)"));
    head.addAll(cols);
    t.add(head);
    for (int g = 0; g < mine.get(0).groups().size(); g++) {
      List<DemoMetrics> per = new ArrayList<>();
      for (DemoRunner.TaskRun run : mine) per.add(run.groups().get(g));
      double[][] ms = DemoMetrics.meanStd(per);
      List<String> row = new ArrayList<>(List.of(per.get(0).model()));
      for (int j = 0; j < cols.size(); j++) row.add(String.format(Locale.ROOT, "%.4f ± %.4f", ms[0][j], ms[1][j]));
      t.add(row);
    }
    return t;
  }

  private static List<List<String>> perSeedTable(List<DemoRunner.TaskRun> mine) {
    List<String> cols = mine.get(0).metrics().get(0).columns();
    List<List<String>> t = new ArrayList<>();
    List<String> head = new ArrayList<>(List.of("seed", "model"));
    head.addAll(cols);
    head.add("prompts");
    t.add(head);
    for (DemoRunner.TaskRun run : mine) {
      for (DemoMetrics m : run.metrics()) {
        List<String> row = new ArrayList<>(List.of(String.valueOf(run.seed()), m.model()));
        for (double v : m.values()) row.add(String.format(Locale.ROOT, "%.4f", v));
        row.add(String.valueOf(m.prompts()));
        t.add(row);
      }
    }
    return t;
  }


  private static void examples(DemoReport r, DemoData.Kind kind, DemoRunner.TaskRun run) {
    List<Sample> test = run.test();
    int n = Math.min(8, test.size());
    for (int i = 0; i < n; i++) {
      int row = i * Math.max(1, test.size() / n);
      Sample sm = test.get(row);
      List<DemoReport.Box> truth = new ArrayList<>();
      for (int[] b : DemoData.boxes(sm.solution())) {
        double[] px = DemoData.toPixels(b, sm.width(), sm.height());
        truth.add(new DemoReport.Box(px[0], px[1], px[0] + px[2], px[1] + px[3]));
      }
      Map<String, List<DemoReport.Box>> preds = new LinkedHashMap<>();
      List<String> caption = new ArrayList<>();
      for (int m = 0; m < run.results().size(); m++) {
        preds.put(DemoRunner.MODELS[m], run.results().get(m).boxes().get(row));
        if (kind == DemoData.Kind.CLASSIFICATION) {
          caption.add(DemoRunner.MODELS[m] + ": " + DemoData.className(run.results().get(m).completions().get(row)));
        }
      }
      r.example(new DemoReport.Example(sm.image().decode(), DemoData.category(sm), truth, preds, caption));
    }
  }
}
