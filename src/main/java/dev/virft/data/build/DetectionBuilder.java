package dev.virft.data.build;

import dev.virft.data.Prompts;
import dev.virft.data.RowSource;
import dev.virft.data.Sample;
import dev.virft.data.SampleImage;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * COCO / LVIS annotation file + image folder → detection rows as the ViRFT datasets hold them: one row
 * per (image, category) with all that category's boxes (crowd boxes left out, as COCO evaluation
 * ignores them), in the 0–1000 integer convention ({@code int(x / W * 1000)}, W×H from the
 * annotation's image size), with the exact detection prompt.
 *
 * <p>Negative rows ({@code --negatives N}): N images per category where the category is absent, with
 * solution {@code <answer>No Objects</answer>} — the answer the prompt asks for. For LVIS the images are
 * drawn from those whose {@code neg_category_ids} list the category (verified absent; LVIS is not
 * exhaustively annotated); for COCO from every image without that category.
 */
public final class DetectionBuilder {
  /**
   * @param categories names to keep, in this order (empty: all, in the file's order)
   * @param shots images per category (≤ 0: all)
   * @param negatives negative rows per category (0: none)
   * @param keepEncoding store image files as they are instead of RGBA PNG
   */
  public record Options(Path annotations, Path images, List<String> categories, int shots, long seed,
      int negatives, boolean keepEncoding) {}

  private record Planned(long imageId, long categoryId, List<double[]> boxes) {}

  private DetectionBuilder() {}

  public static Built build(Options o) {
    CocoAnnotations ann = CocoAnnotations.read(o.annotations());
    Map<String, Long> byName = new LinkedHashMap<>();
    ann.categories.forEach((id, name) -> byName.put(name, id));
    List<Long> cats = new ArrayList<>();
    if (o.categories().isEmpty()) {
      cats.addAll(ann.categories.keySet());
    } else {
      for (String name : o.categories()) {
        Long id = byName.get(name);
        if (id == null) {
          throw new VirftException(o.annotations() + ": no category named '" + name + "' (e.g. "
              + String.join(", ", byName.keySet().stream().limit(8).toList()) + ")");
        }
        cats.add(id);
      }
    }
    // category → image → boxes, images in id order for a stable k-shot draw
    Map<Long, TreeMap<Long, List<double[]>>> grouped = new LinkedHashMap<>();
    for (CocoAnnotations.Box b : ann.boxes) {
      if (b.crowd()) continue;
      if (!ann.images.containsKey(b.imageId())) {
        throw new VirftException(o.annotations() + ": an annotation refers to image_id " + b.imageId() + ", which is not in `images`");
      }
      grouped.computeIfAbsent(b.categoryId(), k -> new TreeMap<>())
          .computeIfAbsent(b.imageId(), k -> new ArrayList<>()).add(b.bbox());
    }
    boolean lvis = ann.images.values().stream().anyMatch(im -> !im.negCategoryIds().isEmpty());
    SplittableRandom rng = new SplittableRandom(o.seed());
    List<Planned> plan = new ArrayList<>();
    Map<String, Integer> perCategory = new LinkedHashMap<>();
    long negatives = 0;
    for (long cat : cats) {
      TreeMap<Long, List<double[]>> withCat = grouped.getOrDefault(cat, new TreeMap<>());
      List<Long> chosen = ImageFiles.kShot(new ArrayList<>(withCat.keySet()), o.shots(), rng);
      for (long img : chosen) plan.add(new Planned(img, cat, withCat.get(img)));
      perCategory.put(ann.categories.get(cat), chosen.size());
      if (o.negatives() > 0) {
        List<Long> absent = new ArrayList<>();
        for (CocoAnnotations.Image im : ann.images.values()) {
          boolean isAbsent = lvis ? im.negCategoryIds().contains(cat) : !withCat.containsKey(im.id());
          if (isAbsent) absent.add(im.id());
        }
        absent.sort(Long::compare);
        for (long img : ImageFiles.kShot(absent, o.negatives(), rng)) {
          plan.add(new Planned(img, cat, List.of()));
          negatives++;
        }
      }
    }
    if (plan.isEmpty()) {
      throw new VirftException(o.annotations() + ": no rows: none of the chosen categories has a box");
    }
    Iterable<Sample> rows = () -> new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < plan.size();
      }

      @Override
      public Sample next() {
        Planned p = plan.get(i);
        RowSource src = new RowSource(o.annotations(), i++);
        CocoAnnotations.Image im = ann.images.get(p.imageId());
        SampleImage image = ImageFiles.load(o.images().resolve(im.fileName()), o.keepEncoding(), src);
        // sizes come from the annotation (the original image); the file's header if it has none
        double w = im.width() > 0 ? im.width() : image.width();
        double h = im.height() > 0 ? im.height() : image.height();
        List<int[]> boxes = new ArrayList<>();
        for (double[] b : p.boxes()) boxes.add(Prompts.box1000(b[0], b[1], b[0] + b[2], b[1] + b[3], w, h));
        String category = ann.categories.get(p.categoryId());
        return new Sample(image, Prompts.detection(category), Prompts.detectionSolution(boxes), Map.of(), src);
      }
    };
    return new Built(rows, new BuildSummary(plan.size(), plan.stream().map(Planned::imageId).distinct().count(), perCategory, negatives));
  }
}
