package dev.virft.cli;

import dev.virft.eval.CocoEval;
import dev.virft.eval.CocoResults;
import dev.virft.eval.DetectionDataset;
import dev.virft.eval.DetectionJson;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code virft bench eval}: COCOeval throughput on the cocoapi 100-image fixture. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Images/s of COCOeval (evaluate+accumulate+summarize, and with file loading) on the 100-image cocoapi fixture.")
public final class BenchEvalCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--fixture", paramLabel = "DIR",
      description = "Folder with instances_val2014_100.json and instances_val2014_fakebbox100_results.json "
          + "(default: <virft.shared or ../shared>/fixtures/coco/cocoapi-val2014-100-bbox).")
  Path fixture;

  @Option(names = "--runs", defaultValue = "30", description = "Timed runs (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--warmup", defaultValue = "20", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Override
  public Integer call() {
    Path dir = fixture != null ? fixture
        : Path.of(System.getProperty("virft.shared", "../shared"), "fixtures", "coco", "cocoapi-val2014-100-bbox");
    Path gtFile = dir.resolve("instances_val2014_100.json");
    Path dtFile = dir.resolve("instances_val2014_fakebbox100_results.json");
    if (!Files.isRegularFile(gtFile) || !Files.isRegularFile(dtFile)) {
      throw new VirftException(dir + ": cocoapi fixture files not found (instances_val2014_100.json, "
          + "instances_val2014_fakebbox100_results.json); pass --fixture DIR");
    }
    if (runs < 1 || warmup < 0) {
      throw new VirftException("--runs must be >= 1 and --warmup >= 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    DetectionDataset gt = DetectionJson.readGroundTruth(gtFile, DetectionJson.Format.COCO);
    DetectionDataset dt = CocoResults.load(gt, dtFile);
    int images = gt.images().size();
    double ap = 0;
    for (int i = 0; i < warmup; i++) {
      DetectionDataset g = DetectionJson.readGroundTruth(gtFile, DetectionJson.Format.COCO);
      ap = new CocoEval(g, CocoResults.load(g, dtFile)).run().stats()[0];
    }
    // Thread CPU time beside wall time: on a shared machine the wall clock mostly measures the
    // other processes; the evaluator is single-threaded, so its CPU time is its cost.
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    double[] evalWall = new double[runs], evalCpu = new double[runs];
    double[] fullWall = new double[runs], fullCpu = new double[runs];
    // Interleaved runs and medians: the JIT and the other jobs on a shared box disturb single runs.
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime(), c0 = cpu.getCurrentThreadCpuTime();
      ap = new CocoEval(gt, dt).run().stats()[0];
      evalWall[i] = (System.nanoTime() - t0) / 1e9;
      evalCpu[i] = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
      long t1 = System.nanoTime(), c1 = cpu.getCurrentThreadCpuTime();
      DetectionDataset g = DetectionJson.readGroundTruth(gtFile, DetectionJson.Format.COCO);
      ap = new CocoEval(g, CocoResults.load(g, dtFile)).run().stats()[0];
      fullWall[i] = (System.nanoTime() - t1) / 1e9;
      fullCpu[i] = (cpu.getCurrentThreadCpuTime() - c1) / 1e9;
    }
    double evalSec = median(evalWall), evalCpuSec = median(evalCpu);
    double fullSec = median(fullWall), fullCpuSec = median(fullCpu);
    out.printf(Locale.ROOT, "COCOeval bbox, %s: %d images, %d GT boxes, %d detections (AP %.4f)%n",
        dir.getFileName(), images, gt.annotations().size(), dt.annotations().size(), ap);
    out.printf(Locale.ROOT, "median of %d runs after %d warm-up      wall ms/run  images/s | CPU ms/run  images/s%n",
        runs, warmup);
    out.printf(Locale.ROOT, "evaluate+accumulate+summarize          %9.1f  %8.0f | %10.1f  %8.0f%n",
        evalSec * 1e3, images / evalSec, evalCpuSec * 1e3, images / evalCpuSec);
    out.printf(Locale.ROOT, "same, plus loading both JSON files     %9.1f  %8.0f | %10.1f  %8.0f%n",
        fullSec * 1e3, images / fullSec, fullCpuSec * 1e3, images / fullCpuSec);
    out.printf(Locale.ROOT, "load average at the end: %.1f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    out.printf(Locale.ROOT, "machine: %s, %d cores visible to the JVM, %s %s, Java %s%n",
        cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
        System.getProperty("os.arch"), System.getProperty("java.version"));
    return 0;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return "unknown CPU";
  }
}
