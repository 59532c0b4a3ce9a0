package dev.virft.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class GroundingMetricsTest {
  @Test
  void firstBoxOfTheResponseOverAThousand() {
    assertArrayEquals(new double[] {0.1, 0.2, 0.5, 0.75},
        GroundingMetrics.firstBox("<think>..</think><answer>( 100 , 200 ),(500,750)</answer> (1,1),(2,2)"));
    assertNull(GroundingMetrics.firstBox("<answer>[100,200,500,750]</answer>"));
  }

  @Test
  void iouWithTheOriginalEpsilon() {
    // Pred [0.1,0.1,0.5,0.5] (area .16), GT [0.3,0.3,0.7,0.7] (area .16), overlap .2*.2 = .04:
    // IoU = .04 / (.16 + .16 - .04 + 1e-6).
    double iou = GroundingMetrics.sampleIou("(100,100),(500,500)", new double[] {60, 30, 140, 70}, 200, 100);
    assertEquals(0.04 / (0.28 + 1e-6), iou, 1e-12);
    // Identical boxes: not exactly 1 because of the epsilon.
    double same = GroundingMetrics.sampleIou("(0,0),(1000,1000)", new double[] {0, 0, 200, 100}, 200, 100);
    assertEquals(1 / (1 + 1e-6), same, 1e-12);
    // Disjoint, and no box at all, score 0.
    assertEquals(0.0, GroundingMetrics.sampleIou("(0,0),(100,100)", new double[] {150, 50, 200, 100}, 200, 100));
    assertEquals(0.0, GroundingMetrics.sampleIou("no box", new double[] {0, 0, 1, 1}, 200, 100));
  }

  @Test
  void meanIouIsThePlainMeanWithFailuresAsZero() {
    assertEquals(0.5, GroundingMetrics.meanIou(List.of(1.0, 0.0, 0.75, 0.25)), 1e-15);
  }

  @Test
  void boxAndPolygonMasks() {
    // Square polygon with corners (2,2) and (11,11): PIL fills and outlines it to 10x10 = 100 px.
    GroundingMasks.Mask gt = GroundingMasks.polygonMask(
        List.of(new double[] {2, 2}, new double[] {11, 2}, new double[] {11, 11}, new double[] {2, 11}), 20, 20);
    GroundingMasks.Mask all = GroundingMasks.boxMask(new double[] {0, 0, 1, 1}, 20, 20);
    assertEquals(100, GroundingMasks.overlap(gt, all).intersection());
    // Box [0.1,0.1,0.35,0.35] of 20x20 -> pixels 2..6 (int(7.0) = 7 exclusive): 5x5 = 25, all inside.
    GroundingMasks.Mask box = GroundingMasks.boxMask(new double[] {0.1, 0.1, 0.35, 0.35}, 20, 20);
    GroundingMasks.Overlap o = GroundingMasks.overlap(box, gt);
    assertEquals(25, o.intersection());
    assertEquals(100, o.union());
    GroundingMasks.Overlap none = GroundingMasks.overlap(GroundingMasks.emptyMask(20, 20), gt);
    // gIoU = mean(.25/(100+1e-6), 0); cIoU = 25 / (200 + 1e-6).
    assertEquals((25 / (100 + 1e-6)) / 2, GroundingMasks.gIoU(List.of(o, none)), 1e-12);
    assertEquals(25 / (200 + 1e-6), GroundingMasks.cIoU(List.of(o, none)), 1e-12);
  }
}
