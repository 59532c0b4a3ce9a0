package dev.virft.data.build;

import dev.virft.data.Prompts;
import dev.virft.data.RowSource;
import dev.virft.data.Sample;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * K-shot classification rows: problem = the dataset's classification prompt (spec §1.2), solution =
 * {@code <answer>{class name}</answer>}. Images come from a folder per class ({@code root/<class>/*})
 * or a list file of {@code path<TAB>class name} lines (paths relative to the list file).
 */
public final class ClassificationBuilder {
  /**
   * @param sentence first sentence of the prompt (see {@link Prompts#classificationSentence})
   * @param underscoresToSpaces class folder "pink_primrose" → class name "pink primrose"
   */
  public record Options(Path source, String sentence, int shots, long seed, boolean underscoresToSpaces,
      boolean keepEncoding) {}

  private record Item(Path image, String className) {}

  private ClassificationBuilder() {}

  private static final List<String> IMAGE_EXT = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

  public static Built build(Options o) {
    TreeMap<String, List<Path>> byClass = Files.isDirectory(o.source()) ? fromFolders(o.source()) : fromList(o.source());
    if (byClass.isEmpty()) {
      throw new VirftException(o.source() + ": no classes found (expected sub-folders of images, or a list file)");
    }
    SplittableRandom rng = new SplittableRandom(o.seed());
    List<Item> plan = new ArrayList<>();
    Map<String, Integer> perClass = new LinkedHashMap<>();
    byClass.forEach((cls, images) -> {
      String name = o.underscoresToSpaces() ? cls.replace('_', ' ') : cls;
      List<Path> chosen = ImageFiles.kShot(images, o.shots(), rng);
      chosen.forEach(p -> plan.add(new Item(p, name)));
      perClass.put(name, chosen.size());
    });
    String problem = Prompts.classification(o.sentence());
    Iterable<Sample> rows = () -> new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < plan.size();
      }

      @Override
      public Sample next() {
        Item it = plan.get(i);
        RowSource src = new RowSource(it.image(), i++);
        return new Sample(ImageFiles.load(it.image(), o.keepEncoding(), src), problem,
            Prompts.classificationSolution(it.className()), Map.of(), src);
      }
    };
    return new Built(rows, new BuildSummary(plan.size(), plan.size(), perClass, 0));
  }

  private static TreeMap<String, List<Path>> fromFolders(Path root) {
    TreeMap<String, List<Path>> out = new TreeMap<>();
    try (Stream<Path> classes = Files.list(root)) {
      for (Path dir : classes.filter(Files::isDirectory).sorted().toList()) {
        try (Stream<Path> files = Files.list(dir)) {
          List<Path> images = files.filter(ClassificationBuilder::isImage).sorted().toList();
          if (!images.isEmpty()) out.put(dir.getFileName().toString(), images);
        }
      }
    } catch (IOException e) {
      throw new VirftException(root + ": cannot list: " + e.getMessage(), e);
    }
    return out;
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return Files.isRegularFile(p) && IMAGE_EXT.stream().anyMatch(n::endsWith);
  }

  private static TreeMap<String, List<Path>> fromList(Path list) {
    if (!Files.isRegularFile(list)) {
      throw new VirftException(list + ": not found (expected a folder per class or a list file)");
    }
    TreeMap<String, List<Path>> out = new TreeMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(list, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new VirftException(list + ": cannot read: " + e.getMessage(), e);
    }
    Path base = list.toAbsolutePath().getParent();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      int tab = line.indexOf('\t');
      if (tab < 0) {
        throw new VirftException(list + " line " + (i + 1) + ": expected 'path<TAB>class name'");
      }
      Path img = base.resolve(line.substring(0, tab).strip());
      out.computeIfAbsent(line.substring(tab + 1).strip(), k -> new ArrayList<>()).add(img);
    }
    return out;
  }
}
