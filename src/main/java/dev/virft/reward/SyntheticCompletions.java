package dev.virft.reward;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Realistic completions (reasoning text plus an answer in each task's format, with the usual share of
 * near-misses, truncations and format slips) for the reward benchmark. Deterministic by seed.
 */
public final class SyntheticCompletions {
  /** One completion to score and its row's solution. */
  public record Sample(String completion, String solution) {}

  private static final String[] WORDS =
      ("the image shows a street with several cars and a bus near the stop sign on the left side while "
              + "a dog sits beside the bench and people walk across the crossing under bright light")
          .split(" ");
  private static final String[] CLASSES = {
    "pink primrose", "american_bulldog", "2012 Acura TL Sedan", "707-320", "sweet pea", "bird of paradise",
    "english cocker spaniel", "Boeing 737-800", "BMW M3 Coupe 2012", "sunflower"
  };

  private SyntheticCompletions() {}

  public static List<Sample> generate(Task task, int count, long seed) {
    Random rnd = new Random(seed);
    List<Sample> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(switch (task) {
        case DETECTION -> detection(rnd);
        case CLASSIFICATION -> classification(rnd);
        case GROUNDING -> grounding(rnd);
      });
    }
    return out;
  }

  private static String think(Random rnd) {
    StringBuilder b = new StringBuilder();
    int n = 30 + rnd.nextInt(60);
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
    }
    return b.append('.').toString();
  }

  private static String wrap(Random rnd, String think, String answer) {
    double r = rnd.nextDouble();
    if (r < 0.85) {
      return "<think>" + think + "</think> <answer>" + answer + "</answer>";
    } else if (r < 0.9) {
      return "<think>" + think + "</think>\n<answer>\n" + answer + "\n</answer>";
    } else if (r < 0.95) {
      String full = "<think>" + think + "</think> <answer>" + answer;
      return full.substring(0, full.length() - rnd.nextInt(Math.min(20, full.length())));
    }
    return think + " " + answer;
  }

  private static int[] box(Random rnd) {
    int x1 = rnd.nextInt(800);
    int y1 = rnd.nextInt(800);
    return new int[] {x1, y1, x1 + 20 + rnd.nextInt(180), y1 + 20 + rnd.nextInt(180)};
  }

  private static String boxList(List<int[]> boxes, List<String> confidences) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < boxes.size(); i++) {
      int[] p = boxes.get(i);
      b.append(i == 0 ? "" : ", ")
          .append("{'Position': [").append(p[0]).append(", ").append(p[1]).append(", ").append(p[2])
          .append(", ").append(p[3]).append("], 'Confidence': ").append(confidences.get(i)).append('}');
    }
    return b.append(']').toString();
  }

  private static Sample detection(Random rnd) {
    int n = 1 + rnd.nextInt(4);
    List<int[]> gt = new ArrayList<>();
    List<String> ones = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      gt.add(box(rnd));
      ones.add("1");
    }
    List<int[]> pred = new ArrayList<>();
    List<String> conf = new ArrayList<>();
    int m = 1 + rnd.nextInt(5);
    for (int i = 0; i < m; i++) {
      int[] p = i < n && rnd.nextDouble() < 0.7 ? jitter(rnd, gt.get(i)) : box(rnd);
      pred.add(p);
      conf.add(String.format(java.util.Locale.ROOT, "%.2f", 0.3 + 0.7 * rnd.nextDouble()));
    }
    return new Sample(wrap(rnd, think(rnd), boxList(pred, conf)), "<answer>" + boxList(gt, ones) + "</answer>");
  }

  private static int[] jitter(Random rnd, int[] b) {
    int[] out = new int[4];
    for (int k = 0; k < 4; k++) {
      out[k] = Math.max(0, Math.min(1000, b[k] + rnd.nextInt(31) - 15));
    }
    return out;
  }

  private static Sample classification(Random rnd) {
    String gt = CLASSES[rnd.nextInt(CLASSES.length)];
    String answer = rnd.nextDouble() < 0.6 ? gt : CLASSES[rnd.nextInt(CLASSES.length)];
    return new Sample(wrap(rnd, think(rnd), answer), "<answer>" + gt + "</answer>");
  }

  private static Sample grounding(Random rnd) {
    int[] g = box(rnd);
    int[] p = rnd.nextDouble() < 0.7 ? jitter(rnd, g) : box(rnd);
    String answer = "(" + p[0] + "," + p[1] + "),(" + p[2] + "," + p[3] + ")";
    return new Sample(
        wrap(rnd, think(rnd), answer),
        "<answer> (" + g[0] + "," + g[1] + "),(" + g[2] + "," + g[3] + ") </answer>");
  }
}
