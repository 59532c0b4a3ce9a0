package dev.virft.eval;

import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** pycocotools' {@code COCO.loadRes} for bbox results. */
public final class CocoResults {
  private CocoResults() {}

  public static DetectionDataset load(DetectionDataset gt, Path resultsFile) {
    return load(gt, DetectionJson.readResults(resultsFile), resultsFile.toString());
  }

  /**
   * Attaches results to the ground truth's images and categories: area = w*h, iscrowd = 0, ids
   * 1..N in file order. Unlike pycocotools (IndexError), an empty list gives a dataset with no
   * detections, so every category with ground truth scores 0.
   */
  public static DetectionDataset load(
      DetectionDataset gt, List<DetectionJson.RawResult> results, String source) {
    List<Detection> anns = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      DetectionJson.RawResult r = results.get(i);
      if (!gt.images().containsKey(r.imageId())) {
        // pycocotools: "Results do not correspond to current coco set"
        throw new VirftException(
            source + ": [" + i + "]: field 'image_id' is " + r.imageId()
                + ", which is not an image of the annotation file");
      }
      double[] b = r.bbox();
      anns.add(new Detection(i + 1, r.imageId(), r.categoryId(), b[0], b[1], b[2], b[3],
          b[2] * b[3], 0, false, r.score()));
    }
    return new DetectionDataset(gt.images(), gt.categories(), anns);
  }
}
