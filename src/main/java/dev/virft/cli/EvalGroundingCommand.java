package dev.virft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.eval.EvalReport;
import dev.virft.eval.GroundingPredictions;
import dev.virft.util.Json;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code virft eval grounding}: LISA box mIoU, and box-mask gIoU/cIoU where polygons are given. */
@Command(
    name = "grounding",
    mixinStandardHelpOptions = true,
    description = {
      "Reasoning grounding (LISA): mIoU of the first (x1,y1),(x2,y2) box of each response (0-1000 scale)",
      "as the original; gIoU/cIoU of the box rasterised as a mask against the polygon (no SAM)."
    })
public final class EvalGroundingCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--predictions", required = true, paramLabel = "P.jsonl",
      description = ".jsonl (or .json array) of {image, response, gt_box [x1,y1,x2,y2] px, width, height, gt_polygon?}.")
  Path predictions;

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the metrics to this JSON file.")
  Path json;

  @Override
  public Integer call() {
    GroundingPredictions.Score s = GroundingPredictions.score(GroundingPredictions.read(predictions));
    var out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "samples: %d%nmIoU (boxes): %.4f%n", s.samples(), s.mIoU());
    if (s.maskSamples() > 0) {
      out.printf(Locale.ROOT, "masks (box rasterised, no SAM) on %d samples: gIoU %.4f  cIoU %.4f%n",
          s.maskSamples(), s.gIoU(), s.cIoU());
    }
    if (json != null) {
      ObjectNode o = Json.MAPPER.createObjectNode();
      o.put("samples", s.samples());
      EvalReport.putNumber(o, "mIoU", s.mIoU());
      o.put("mask_samples", s.maskSamples());
      EvalReport.putNumber(o, "gIoU_box_mask", s.gIoU());
      EvalReport.putNumber(o, "cIoU_box_mask", s.cIoU());
      new EvalReport("", o).writeJson(json);
    }
    return 0;
  }
}
