package dev.virft.cli;

import dev.virft.reward.RewardRegistry;
import dev.virft.reward.RewardSelection;
import dev.virft.reward.SyntheticCompletions;
import dev.virft.reward.Task;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code virft bench rewards}: completions scored per second, per task preset, faithful and guarded. */
@Command(
    name = "rewards",
    description = "Completions scored per second by each task's reward set (faithful and @guarded).")
public final class BenchRewardsCommand implements Runnable {
  @Option(names = "--count", description = "Completions generated per task (default ${DEFAULT-VALUE}).")
  int count = 20_000;

  @Option(names = "--seconds", description = "Minimum timed seconds per row (default ${DEFAULT-VALUE}).")
  double seconds = 2.0;

  @Option(names = "--seed", description = "Seed of the generated completions (default ${DEFAULT-VALUE}).")
  long seed = 1;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    out.println("machine: " + machine());
    out.printf("%-16s %-9s %14s %12s%n", "task", "mode", "completions/s", "us/compl.");
    for (Task task : Task.values()) {
      List<SyntheticCompletions.Sample> samples = SyntheticCompletions.generate(task, count, seed);
      for (boolean guarded : new boolean[] {false, true}) {
        RewardSelection sel =
            RewardSelection.parse(task.id() + (guarded ? "@guarded" : ""), task, RewardRegistry.builtIn());
        time(sel, samples, 0.5); // warm-up: JIT
        double rate = time(sel, samples, seconds);
        out.printf("%-16s %-9s %14.0f %12.2f%n", task.id(), guarded ? "guarded" : "faithful", rate, 1e6 / rate);
        out.flush();
      }
    }
  }

  /** Completions per second over whole passes lasting at least {@code minSeconds}. */
  private static double time(RewardSelection sel, List<SyntheticCompletions.Sample> samples, double minSeconds) {
    long start = System.nanoTime();
    long done = 0;
    double sink = 0;
    do {
      for (SyntheticCompletions.Sample s : samples) {
        sink += sel.score(s.completion(), s.solution(), Map.of()).total();
      }
      done += samples.size();
    } while (System.nanoTime() - start < minSeconds * 1e9);
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (sink == Double.MIN_VALUE) {
      System.out.print(""); // keep the scores observable so the JIT cannot drop the work
    }
    return done / elapsed;
  }

  static String machine() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (Exception e) {
      // not Linux: the OS/arch below still say what ran
    }
    return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name")
        + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version")
        + ", single thread";
  }
}
