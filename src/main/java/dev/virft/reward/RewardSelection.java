package dev.virft.reward;

import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rewards {@code --reward_funcs} selects, with their weights. The total is Σ weight·reward; with
 * every weight 1 (the default) it is the original's unweighted sum.
 *
 * <p>Grammar: items separated by commas or spaces; each item is {@code NAME[@guarded][:WEIGHT]}, where
 * NAME is a reward name, {@code accuracy} (resolved by task), or a task preset ({@code detection},
 * {@code classification}, {@code grounding}) that expands to that task's rewards, all with the item's
 * suffix and weight. Example: {@code accuracy_iou:1.0,format:0.5} or {@code classification@guarded}.
 */
public final class RewardSelection {
  /** One selected reward. */
  public record Entry(Reward reward, double weight) {}

  private final List<Entry> entries;
  private final List<String> names;

  private RewardSelection(List<Entry> entries) {
    this.entries = List.copyOf(entries);
    List<String> n = new ArrayList<>();
    for (Entry e : entries) {
      n.add(e.reward().name());
    }
    this.names = List.copyOf(n);
  }

  /** The original's reward set for {@code task}, unweighted. */
  public static RewardSelection preset(Task task) {
    return parse(task.id(), task, RewardRegistry.builtIn());
  }

  /**
   * Parses a {@code --reward_funcs} value. {@code task} (nullable) resolves {@code accuracy}; without it,
   * a single preset named in the spec does.
   */
  public static RewardSelection parse(String spec, Task task, RewardRegistry registry) {
    String[] items = spec.trim().split("[,\\s]+");
    if (spec.isBlank()) {
      throw new VirftException("--reward_funcs: empty, expected names such as accuracy_iou,format");
    }
    Task context = task;
    if (context == null) {
      for (String item : items) {
        Task t = Task.presetNamed(baseName(item));
        if (t != null) {
          if (context != null && context != t) {
            context = null;
            break;
          }
          context = t;
        }
      }
    }
    List<Entry> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String item : items) {
      int colon = item.lastIndexOf(':');
      String nameWithSuffix = colon < 0 ? item : item.substring(0, colon);
      double weight = colon < 0 ? 1.0 : parseWeight(item, item.substring(colon + 1));
      boolean guarded = nameWithSuffix.endsWith(RewardRegistry.GUARDED_SUFFIX);
      String base = baseName(nameWithSuffix);
      Task preset = Task.presetNamed(base);
      List<String> names = new ArrayList<>();
      if (preset != null) {
        for (String member : preset.preset()) {
          Reward r = registry.get(member, preset);
          // A preset's @guarded applies to the members that have a guarded variant.
          names.add(guarded && r.guarded().isPresent() ? member + RewardRegistry.GUARDED_SUFFIX : member);
        }
      } else {
        names.add(nameWithSuffix);
      }
      for (String n : names) {
        Reward r = registry.get(n, preset != null ? preset : context);
        if (!seen.add(r.name())) {
          throw new VirftException("--reward_funcs: reward '" + r.name() + "' is selected twice");
        }
        entries.add(new Entry(r, weight));
      }
    }
    return new RewardSelection(entries);
  }

  private static String baseName(String item) {
    int colon = item.lastIndexOf(':');
    String n = colon < 0 ? item : item.substring(0, colon);
    return n.endsWith(RewardRegistry.GUARDED_SUFFIX)
        ? n.substring(0, n.length() - RewardRegistry.GUARDED_SUFFIX.length())
        : n;
  }

  private static double parseWeight(String item, String text) {
    try {
      double w = Double.parseDouble(text);
      if (Double.isFinite(w)) {
        return w;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new VirftException(
        "--reward_funcs: weight of '" + item + "' must be a finite number, got '" + text + "'");
  }

  public List<Entry> entries() {
    return entries;
  }

  /** The selected rewards' names, in order (guarded ones with their suffix). */
  public List<String> names() {
    return names;
  }

  /** Scores one completion with every selected reward. */
  public RewardScores score(String completion, String solution, Map<String, ?> columns) {
    double[] values = new double[entries.size()];
    double total = 0.0;
    for (int i = 0; i < values.length; i++) {
      Entry e = entries.get(i);
      values[i] = e.reward().score(completion, solution, columns);
      total += e.weight() * values[i];
    }
    return new RewardScores(names, values, total);
  }
}
