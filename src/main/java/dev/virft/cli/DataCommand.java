package dev.virft.cli;

import dev.virft.data.Column;
import dev.virft.data.DatasetFormat;
import dev.virft.data.DatasetReader;
import dev.virft.data.Datasets;
import dev.virft.data.Prompts;
import dev.virft.data.Sample;
import dev.virft.data.SampleIterator;
import dev.virft.data.build.BuildSummary;
import dev.virft.data.build.Built;
import dev.virft.data.build.ClassificationBuilder;
import dev.virft.data.build.DetectionBuilder;
import dev.virft.data.build.LisaBuilder;
import dev.virft.data.synthetic.Difficulty;
import dev.virft.data.synthetic.SyntheticDataset;
import dev.virft.data.synthetic.SyntheticTask;
import dev.virft.util.VirftException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code virft data ...}: build datasets in the ViRFT layouts, and look inside them. */
@Command(
    name = "data",
    description = "Build datasets (COCO/LVIS, classification, LISA, synthetic) and inspect them.",
    subcommands = {
      DataCommand.Inspect.class,
      DataCommand.Synthetic.class,
      DataCommand.Coco.class,
      DataCommand.Lvis.class,
      DataCommand.Classification.class,
      DataCommand.Lisa.class,
      DataCommand.Convert.class,
    })
public final class DataCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Output options shared by every builder. */
  static final class Output {
    @Option(names = "--out", required = true, description = "Output directory (written atomically).")
    Path out;

    @Option(names = "--format", defaultValue = "save_to_disk",
        description = "save_to_disk (HF DatasetDict, default), parquet (HF hub layout) or jsonl.")
    String format;

    long write(Iterable<Sample> rows, PrintWriter log) {
      DatasetFormat f = DatasetFormat.parse(format);
      long n = f.write(out, rows);
      log.printf("wrote %d rows as %s to %s%n", n, f.cliName(), out);
      return n;
    }
  }

  abstract static class Builder implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Output output = new Output();

    abstract Built build();

    @Override
    public Integer call() {
      OptionChecks.replacedDirectory("--out", output.out);
      Built built = build();
      PrintWriter out = spec.commandLine().getOut();
      printSummary(out, built.summary());
      output.write(built.rows(), out);
      out.flush();
      return 0;
    }
  }

  static void printSummary(PrintWriter out, BuildSummary s) {
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    try (java.io.PrintStream ps = new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8)) {
      s.print(ps);
    }
    out.print(buf.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Command(name = "inspect", description = "Print a dataset's layout, columns and first rows.")
  static final class Inspect implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "DATASET", description = "save_to_disk dir, parquet dir/file, .json/.jsonl, .arrow")
    Path path;

    @Option(names = "--split", defaultValue = "train", description = "Split of a DatasetDict (default: train).")
    String split;

    @Option(names = "--rows", defaultValue = "3", description = "How many rows to print (default: 3).")
    int rows;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (DatasetReader r = Datasets.open(path, split)) {
        out.printf("dataset: %s%nlayout: %s%n", r.location(), r.layout());
        r.size().ifPresent(n -> out.printf("rows: %d%n", n));
        out.println("columns:");
        for (Column c : r.columns()) out.printf("  %s%n", c);
        try (SampleIterator it = r.iterator()) {
          for (int i = 0; i < rows && it.hasNext(); i++) {
            Sample s = it.next();
            out.printf("%n[%d] %s%n", i, s.source());
            out.printf("  image: %dx%d, %d bytes%s%n", s.width(), s.height(), s.image().bytes().length,
                s.image().path() == null ? "" : " (" + s.image().path() + ")");
            out.printf("  problem: %s%n", s.problem().replace("\n", "\\n"));
            out.printf("  solution: %s%n", s.solution().replace("\n", "\\n"));
            s.columns().forEach((k, v) -> out.printf("  %s: %s%n", k, v));
          }
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "synthetic",
      description = "Coloured-shapes task (the demo's data): detection, classification, grounding rows in the original formats.")
  static final class Synthetic extends Builder {
    @Option(names = "--task", defaultValue = "mixed", description = "detection, classification, grounding or mixed (default).")
    String task;

    @Option(names = "--difficulty", defaultValue = "easy",
        description = "easy (1-2 large shapes, red/green/blue; default) or normal (1-4 shapes, 6 colours).")
    String difficulty;

    @Option(names = "--rows", defaultValue = "1000") int rows;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--size", defaultValue = "112", description = "Image side in pixels (default: 112).") int size;

    @Option(names = "--no-negatives", description = "No 'No Objects' detection rows (default: about 1 in 5).")
    boolean noNegatives;

    @Override
    Built build() {
      SyntheticDataset ds = new SyntheticDataset(new SyntheticDataset.Config(
          enumArg(SyntheticTask.class, task, "--task"), enumArg(Difficulty.class, difficulty, "--difficulty"),
          size, seed, rows, !noNegatives));
      Map<String, Integer> perTask = new LinkedHashMap<>();
      for (int i = 0; i < rows; i++) perTask.merge(ds.taskOf(i).label(), 1, Integer::sum);
      spec.commandLine().getOut().printf("tasks: %s%n", perTask);
      return new Built(ds, new BuildSummary(rows, rows, Map.of(), 0));
    }
  }

  static <E extends Enum<E>> E enumArg(Class<E> type, String value, String option) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new VirftException(option + ": unknown value '" + value + "' (expected one of "
          + java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList() + ")");
    }
  }

  abstract static class DetectionOptions extends Builder {
    @Option(names = "--annotations", required = true, description = "COCO/LVIS instances JSON.") Path annotations;
    @Option(names = "--images", required = true, description = "Folder holding the images the annotations name.") Path images;

    @Option(names = "--categories", split = ",", description = "Category names to keep (default: all).")
    List<String> categories = List.of();

    @Option(names = "--shots", defaultValue = "0", description = "Images per category, drawn by --seed (0: all).") int shots;
    @Option(names = "--seed", defaultValue = "0") long seed;

    @Option(names = "--negatives", defaultValue = "0",
        description = "Rows per category whose image lacks it, answered <answer>No Objects</answer> (default: 0).")
    int negatives;

    @Option(names = "--keep-encoding", description = "Store image files as they are instead of RGBA PNG (the original's).")
    boolean keepEncoding;

    @Override
    Built build() {
      return DetectionBuilder.build(new DetectionBuilder.Options(annotations, images, categories, shots, seed, negatives, keepEncoding));
    }
  }

  @Command(name = "coco", description = "Detection rows from COCO annotations + images (one per image and category).")
  static final class Coco extends DetectionOptions {}

  @Command(name = "lvis", description = "Detection rows from LVIS annotations + images (negatives from neg_category_ids).")
  static final class Lvis extends DetectionOptions {}

  @Command(name = "classification", description = "K-shot classification rows from a folder per class or a list file.")
  static final class Classification extends Builder {
    @Option(names = "--images", description = "Folder with one sub-folder of images per class.") Path images;
    @Option(names = "--list", description = "List file: 'path<TAB>class name' per line (paths relative to it).") Path list;

    @Option(names = "--dataset", description = "Prompt of: flowers, pets, cars, aircraft.") String dataset;
    @Option(names = "--sentence", description = "Custom first sentence of the prompt instead of --dataset's.") String sentence;

    @Option(names = "--shots", defaultValue = "4", description = "Images per class (default: 4; 0: all).") int shots;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--underscores-to-spaces", description = "Folder 'pink_primrose' → class 'pink primrose'.") boolean underscores;
    @Option(names = "--keep-encoding", description = "Store image files as they are instead of RGBA PNG.") boolean keepEncoding;

    @Override
    Built build() {
      if ((images == null) == (list == null)) throw new VirftException("data classification: give exactly one of --images or --list");
      if ((dataset == null) == (sentence == null)) throw new VirftException("data classification: give exactly one of --dataset or --sentence");
      String first;
      try {
        first = sentence != null ? sentence : Prompts.classificationSentence(dataset);
      } catch (IllegalArgumentException e) {
        throw new VirftException("--dataset: " + e.getMessage());
      }
      return ClassificationBuilder.build(new ClassificationBuilder.Options(
          images != null ? images : list, first, shots, seed, underscores, keepEncoding));
    }
  }

  @Command(name = "lisa", description = "Grounding rows from LISA ReasonSeg JSON files (gen_box_ann + gen_sft logic).")
  static final class Lisa extends Builder {
    @Option(names = "--lisa", required = true, description = "LISA data/train folder (*.json + *.jpg).") Path dir;

    @Override
    Built build() {
      return LisaBuilder.build(dir);
    }
  }

  @Command(name = "convert", description = "Read a dataset in any layout, write it in another.")
  static final class Convert implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Parameters(paramLabel = "DATASET") Path in;
    @Option(names = "--split", defaultValue = "train") String split;
    @CommandLine.Mixin Output output = new Output();

    @Override
    public Integer call() {
      OptionChecks.replacedDirectory("--out", output.out);
      try (DatasetReader r = Datasets.open(in, split)) {
        output.write(r, spec.commandLine().getOut());
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
