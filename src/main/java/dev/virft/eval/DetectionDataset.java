package dev.virft.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed COCO- or LVIS-format file (ground truth, or results attached to a ground truth as
 * pycocotools' {@code loadRes} / lvis-api's {@code LVISResults} do), with the indexes that
 * {@code COCO.createIndex} builds. Insertion orders follow the file, as Python dicts do.
 */
public final class DetectionDataset {
  /** An image entry; the LVIS lists are null for COCO files. */
  public record Image(long id, long[] negCategoryIds, long[] notExhaustiveCategoryIds) {}

  /** A category entry; frequency ("r", "c", "f") is null for COCO files. */
  public record Category(long id, String name, String frequency) {}

  private final Map<Long, Image> images;
  private final Map<Long, Category> categories;
  private final List<Detection> annotations;
  private final Map<Long, Detection> annotationsById = new LinkedHashMap<>();
  private final Map<Long, List<Detection>> annotationsByImage = new LinkedHashMap<>();

  public DetectionDataset(
      Map<Long, Image> images, Map<Long, Category> categories, List<Detection> annotations) {
    this.images = Collections.unmodifiableMap(new LinkedHashMap<>(images));
    this.categories = Collections.unmodifiableMap(new LinkedHashMap<>(categories));
    this.annotations = List.copyOf(annotations);
    for (Detection d : this.annotations) {
      // As in createIndex: a repeated id keeps the last annotation (loadAnns then returns it twice).
      annotationsById.put(d.id, d);
      annotationsByImage.computeIfAbsent(d.imageId, k -> new ArrayList<>()).add(d);
    }
  }

  public Map<Long, Image> images() {
    return images;
  }

  public Map<Long, Category> categories() {
    return categories;
  }

  public List<Detection> annotations() {
    return annotations;
  }

  /** The annotation with this id (the last one in the file if the id repeats). */
  public Detection annotation(long id) {
    return annotationsById.get(id);
  }

  /** The annotations of one image in file order (empty if none). */
  public List<Detection> annotationsOfImage(long imageId) {
    return annotationsByImage.getOrDefault(imageId, List.of());
  }

  /** Sorted category ids, as {@code sorted(getCatIds())}. */
  public long[] sortedCategoryIds() {
    return categories.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /** Sorted, distinct image ids, as {@code np.unique(sorted(getImgIds()))}. */
  public long[] sortedImageIds() {
    return images.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
  }
}
