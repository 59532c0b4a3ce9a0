package dev.virft.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LISA grounding samples with the model's responses: JSONL or JSON array of {"image": PATH,
 * "response": TEXT, "gt_box": [x1, y1, x2, y2] (pixels, boxes[0] of lisa_{split}.json), "width": W,
 * "height": H, "gt_polygon": [[x, y], ...] (optional, pixels: shapes[0].points of the LISA json)}.
 */
public final class GroundingPredictions {
  /** One sample; polygon is null when not given. */
  public record Sample(String image, String response, double[] gtBox, int width, int height,
      List<double[]> polygon) {}

  /** mIoU over all samples; gIoU/cIoU over the samples with a polygon (NaN/0 when none). */
  public record Score(int samples, double mIoU, int maskSamples, double gIoU, double cIoU) {}

  /** Bounds the memory of one rasterised mask (a byte per pixel). */
  private static final long MAX_MASK_PIXELS = 1L << 28;

  private GroundingPredictions() {}

  public static List<Sample> read(Path file) {
    List<Sample> out = new ArrayList<>();
    for (JsonRecords.Record r : JsonRecords.read(file)) {
      List<double[]> polygon = null;
      JsonNode p = r.node().get("gt_polygon");
      if (p != null && !p.isNull()) {
        if (!p.isArray() || p.size() < 3) {
          throw new VirftException(r.where() + ": field 'gt_polygon' must be an array of at least 3 [x, y] points");
        }
        polygon = new ArrayList<>();
        for (JsonNode pt : p) {
          if (!pt.isArray() || pt.size() != 2 || !pt.get(0).isNumber() || !pt.get(1).isNumber()) {
            throw new VirftException(r.where() + ": field 'gt_polygon' must be an array of [x, y] number pairs");
          }
          polygon.add(new double[] {pt.get(0).asDouble(), pt.get(1).asDouble()});
        }
      }
      int w = r.positiveInt("width"), h = r.positiveInt("height");
      if (polygon != null && (long) w * h > MAX_MASK_PIXELS) {
        throw new VirftException(r.where() + ": image " + w + "x" + h + " is too large for a mask (at most " + MAX_MASK_PIXELS + " pixels)");
      }
      out.add(new Sample(r.text("image"), r.text("response"), r.numbers("gt_box", 4), w, h, polygon));
    }
    return out;
  }

  public static Score score(List<Sample> samples) {
    List<Double> ious = new ArrayList<>();
    List<GroundingMasks.Overlap> overlaps = new ArrayList<>();
    for (Sample s : samples) {
      ious.add(GroundingMetrics.sampleIou(s.response(), s.gtBox(), s.width(), s.height()));
      if (s.polygon() != null) {
        double[] box = GroundingMetrics.firstBox(s.response());
        GroundingMasks.Mask pred = box == null
            ? GroundingMasks.emptyMask(s.width(), s.height())
            : GroundingMasks.boxMask(box, s.width(), s.height());
        GroundingMasks.Mask gt = GroundingMasks.polygonMask(s.polygon(), s.width(), s.height());
        overlaps.add(GroundingMasks.overlap(pred, gt));
      }
    }
    return new Score(samples.size(), samples.isEmpty() ? Double.NaN : GroundingMetrics.meanIou(ious),
        overlaps.size(), overlaps.isEmpty() ? Double.NaN : GroundingMasks.gIoU(overlaps),
        overlaps.isEmpty() ? Double.NaN : GroundingMasks.cIoU(overlaps));
  }
}
