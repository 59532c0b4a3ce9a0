package dev.virft.eval;

import dev.virft.util.VirftException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntToDoubleFunction;

/** The Visual-RFT notebooks' "mAP for selected categories", shared by COCO and LVIS. */
final class SelectedCategories {
  private SelectedCategories() {}

  /**
   * Sum of the per-class AP of the categories named in {@code names} (in the order of the K axis),
   * divided by {@code names.size()} as the notebooks do. Unknown or repeated names are an error
   * here (the notebooks would silently count an unknown name as 0).
   */
  static double meanAp(
      List<String> names, long[] catIds, DetectionDataset gt, IntToDoubleFunction perClassAp) {
    if (names.isEmpty()) {
      throw new VirftException("--categories: expected at least one category name");
    }
    Set<String> wanted = new HashSet<>();
    Set<String> known = new HashSet<>();
    for (long id : catIds) {
      known.add(gt.categories().get(id).name());
    }
    for (String n : names) {
      if (!known.contains(n)) {
        throw new VirftException("--categories: '" + n + "' is not the name of a category of the annotation file");
      }
      if (!wanted.add(n)) {
        throw new VirftException("--categories: '" + n + "' is listed twice");
      }
    }
    double sum = 0;
    for (int k = 0; k < catIds.length; k++) {
      if (wanted.contains(gt.categories().get(catIds[k]).name())) {
        sum += perClassAp.applyAsDouble(k);
      }
    }
    return sum / names.size();
  }
}
