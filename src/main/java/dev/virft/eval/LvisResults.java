package dev.virft.eval;

import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lvis-api's {@code LVISResults} for bbox results. */
public final class LvisResults {
  /** The official LVIS limit of detections per image. */
  public static final int DEFAULT_MAX_DETS = 300;

  private LvisResults() {}

  public static DetectionDataset load(DetectionDataset gt, Path resultsFile, int maxDets) {
    return load(gt, DetectionJson.readResults(resultsFile), maxDets, resultsFile.toString());
  }

  /**
   * Keeps the {@code maxDets} highest-scoring detections of each image (stable; all when
   * negative), regroups the list by image in order of first appearance (as
   * {@code limit_dets_per_image} does), then sets area = w*h and ids 1..N. An empty list gives no
   * detections instead of lvis-api's IndexError.
   */
  public static DetectionDataset load(
      DetectionDataset gt, List<DetectionJson.RawResult> results, int maxDets, String source) {
    for (int i = 0; i < results.size(); i++) {
      if (!gt.images().containsKey(results.get(i).imageId())) {
        throw new VirftException(source + ": [" + i + "]: field 'image_id' is "
            + results.get(i).imageId() + ", which is not an image of the annotation file");
      }
    }
    List<DetectionJson.RawResult> kept = results;
    if (maxDets >= 0) {
      Map<Long, List<DetectionJson.RawResult>> byImage = new LinkedHashMap<>();
      for (DetectionJson.RawResult r : results) {
        byImage.computeIfAbsent(r.imageId(), k -> new ArrayList<>()).add(r);
      }
      kept = new ArrayList<>(results.size());
      for (List<DetectionJson.RawResult> anns : byImage.values()) {
        if (anns.size() <= maxDets) {
          kept.addAll(anns);
          continue;
        }
        double[] scores = new double[anns.size()];
        for (int i = 0; i < scores.length; i++) {
          scores[i] = anns.get(i).score();
        }
        // sorted(key=score, reverse=True) is stable, like this argsort.
        int[] order = NumpyMath.stableArgsortDescending(scores, scores.length);
        for (int i = 0; i < maxDets; i++) {
          kept.add(anns.get(order[i]));
        }
      }
    }
    List<Detection> anns = new ArrayList<>(kept.size());
    for (int i = 0; i < kept.size(); i++) {
      DetectionJson.RawResult r = kept.get(i);
      double[] b = r.bbox();
      anns.add(new Detection(i + 1, r.imageId(), r.categoryId(), b[0], b[1], b[2], b[3],
          b[2] * b[3], 0, false, r.score()));
    }
    return new DetectionDataset(gt.images(), gt.categories(), anns);
  }
}
