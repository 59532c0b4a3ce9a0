package dev.virft.cli;

import dev.virft.data.DatasetFormat;
import dev.virft.data.DatasetReader;
import dev.virft.data.Datasets;
import dev.virft.data.Sample;
import dev.virft.data.SampleIterator;
import dev.virft.data.synthetic.Difficulty;
import dev.virft.data.synthetic.SyntheticDataset;
import dev.virft.data.synthetic.SyntheticTask;
import dev.virft.util.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code virft bench data}: writes a synthetic dataset in each layout, then streams it back, sampling
 * the used heap every few rows, to show that reading is bounded by a batch / row group, not by the
 * dataset. Run it with a small heap ({@code VIRFT_JAVA_OPTS=-Xmx64m}) to make the point.
 */
@Command(name = "data", description = "Dataset write/stream throughput and the heap used while streaming.")
public final class DataBenchCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--rows", defaultValue = "10000") int rows;
  @Option(names = "--size", defaultValue = "224", description = "Image side in pixels (default: 224).") int size;
  @Option(names = "--formats", split = ",", defaultValue = "save_to_disk,parquet,jsonl") List<String> formats;
  @Option(names = "--decode", description = "Also decode every image to pixels while streaming.") boolean decode;
  @Option(names = "--dir", description = "Where to write the datasets (default: a temp dir, deleted after).") Path dir;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Runtime rt = Runtime.getRuntime();
    out.printf("machine: %d cores, %s %s, Java %s, max heap %d MiB%n", rt.availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"), rt.maxMemory() >> 20);
    Path base = dir != null ? dir : Files.createTempDirectory("virft-bench-data");
    SyntheticDataset ds = new SyntheticDataset(
        new SyntheticDataset.Config(SyntheticTask.MIXED, Difficulty.NORMAL, size, 0, rows, true));
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    try {
      Path first = null;
      for (String f : formats) {
        DatasetFormat format = DatasetFormat.parse(f);
        Path target = base.resolve(format.cliName());
        long t0 = System.nanoTime();
        // the first layout is generated; the others are converted from it (rendering is the slow part)
        if (first == null) {
          format.write(target, ds);
        } else {
          try (DatasetReader src = Datasets.open(first)) {
            format.write(target, src);
          }
        }
        double writeS = (System.nanoTime() - t0) / 1e9;
        String how = first == null ? "generate+write" : "convert";
        if (first == null) first = target;
        long bytes = sizeOf(target);

        System.gc();
        long baseline = mem.getHeapMemoryUsage().getUsed();
        long maxUsed = baseline;
        long n = 0;
        long imageBytes = 0;
        t0 = System.nanoTime();
        try (DatasetReader r = Datasets.open(target); SampleIterator it = r.iterator()) {
          while (it.hasNext()) {
            Sample s = it.next();
            imageBytes += s.image().bytes().length;
            if (s.width() != size) throw new IllegalStateException(s.source() + ": width " + s.width());
            if (decode) s.image().decode();
            if (++n % 10 == 0) maxUsed = Math.max(maxUsed, mem.getHeapMemoryUsage().getUsed());
          }
        }
        double readS = (System.nanoTime() - t0) / 1e9;
        maxUsed = Math.max(maxUsed, mem.getHeapMemoryUsage().getUsed());
        out.printf(Locale.ROOT,
            "%-12s rows %d, on disk %.1f MiB (images %.1f MiB) | %s %.1f s | stream %.2f s (%.0f rows/s)%s | heap used: after GC %.1f MiB, max while streaming %.1f MiB%n",
            format.cliName(), n, bytes / 1048576.0, imageBytes / 1048576.0, how, writeS, readS, n / readS,
            decode ? " with decode" : "", baseline / 1048576.0, maxUsed / 1048576.0);
        out.flush();
      }
    } finally {
      if (dir == null) AtomicFiles.deleteRecursively(base);
    }
    return 0;
  }

  private static long sizeOf(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).mapToLong(q -> q.toFile().length()).sum();
    }
  }
}
