package dev.virft.data;

import dev.virft.util.VirftException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Reads a training split and checks every row before step 1: each row decodes (columns, image
 * reference) and each image decodes. A bad row fails here, naming file and row, not at the step
 * where the sampler happens to reach it; with {@code skipBadRows} such rows are dropped and counted.
 */
public final class DatasetCheck {
  private DatasetCheck() {}

  /** The rows that passed, and what was dropped. */
  public record Checked(List<Sample> samples, int skipped, String firstProblem) {}

  public static Checked readAll(Path dataset, String split, boolean skipBadRows, boolean allowOutsidePaths) {
    return ImagePaths.readingWith(allowOutsidePaths, () -> read(dataset, split, skipBadRows));
  }

  /** {@link #readAll} with a line on {@code log} when rows were dropped. */
  public static List<Sample> readAll(Path dataset, String split, boolean skipBadRows, boolean allowOutsidePaths,
      PrintStream log) {
    Checked c = readAll(dataset, split, skipBadRows, allowOutsidePaths);
    if (c.skipped() > 0) {
      log.printf("note: --skip_bad_rows: dropped %d of %d rows of %s (first: %s)%n", c.skipped(),
          c.skipped() + c.samples().size(), dataset, c.firstProblem());
    }
    return c.samples();
  }

  private static Checked read(Path dataset, String split, boolean skipBadRows) {
    List<Sample> rows = new ArrayList<>();
    int skipped = 0;
    String first = null;
    try (DatasetReader r = Datasets.detect(dataset, split); SampleIterator it = r.iterator()) {
      while (it.hasNext()) {
        Sample s;
        try {
          s = it.next();
        } catch (VirftException e) {
          // The readers have moved past the row when its decoding fails, so reading goes on.
          if (!skipBadRows) {
            throw withHint(e);
          }
          skipped++;
          first = first == null ? e.getMessage() : first;
          continue;
        }
        rows.add(s);
      }
    }
    String[] problems = new String[rows.size()];
    // Decoded and dropped again: only the check is wanted here; the sampler decodes when it encodes.
    IntStream.range(0, rows.size()).parallel().forEach(i -> {
      try {
        rows.get(i).image().decode();
      } catch (VirftException e) {
        problems[i] = e.getMessage();
      }
    });
    List<Sample> good = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      if (problems[i] == null) {
        good.add(rows.get(i));
      } else if (skipBadRows) {
        skipped++;
        first = first == null ? problems[i] : first;
      } else {
        throw withHint(new VirftException(problems[i]));
      }
    }
    if (good.isEmpty()) {
      throw new VirftException(dataset + ": no usable rows" + (skipped > 0 ? " (" + skipped
          + " bad rows dropped; first: " + first + ")" : " (empty dataset)"));
    }
    return new Checked(List.copyOf(good), skipped, first);
  }

  private static VirftException withHint(VirftException e) {
    return new VirftException(e.getMessage() + " (checked before training; --skip_bad_rows drops such rows)", e);
  }
}
