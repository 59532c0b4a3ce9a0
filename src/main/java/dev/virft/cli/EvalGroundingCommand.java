package dev.virft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.eval.EvalReport;
import dev.virft.eval.GroundingPredictions;
import dev.virft.util.Json;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.List;
import java.util.Map;
import dev.virft.inference.GroundingQueries;
import dev.virft.util.VirftException;
import picocli.CommandLine.Mixin;
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

  @Option(names = "--predictions", paramLabel = "P.jsonl",
      description = {".jsonl (or .json array) of {image, response, gt_box [x1,y1,x2,y2] px, width, height, gt_polygon?}.",
          "With --model: where the model's predictions are written (default: <output>/predictions.jsonl)."})
  Path predictions;

  @Mixin ModelEvalOptions run;

  @Option(names = "--data", paramLabel = "lisa_test.json",
      description = "With --model: samples {image_path, instruction [..], boxes [[x1,y1,x2,y2]]} (gen_box_ann.py output; .json or .jsonl; relative paths from its folder).")
  Path data;

  @Option(names = "--lisa", paramLabel = "DIR",
      description = "With --model: a LISA val/test folder (*.json + *.jpg); also gives the polygons for gIoU/cIoU.")
  Path lisa;

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the metrics to this JSON file.")
  Path json;

  @Override
  public Integer call() {
    if (run.enabled()) {
      predictions = answer();
    } else if (predictions == null) {
      throw new VirftException("either --predictions P.jsonl (score responses) or --model CKPT (run a checkpoint) is required");
    }
    GroundingPredictions.Score s = GroundingPredictions.score(GroundingPredictions.read(predictions));
    var out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "samples: %d%nmIoU (boxes): %.4f%n", s.samples(), s.mIoU());
    if (s.maskSamples() > 0) {
      out.printf(Locale.ROOT, "masks (box rasterised, no SAM) on %d samples: gIoU %.4f  cIoU %.4f%n",
          s.maskSamples(), s.gIoU(), s.cIoU());
    }
    if (json != null) {
      ObjectNode o = metrics(s);
      new EvalReport("", o).writeJson(json);
    }
    if (run.enabled()) {
      ObjectNode o = metrics(s);
      o.put("model", run.model.toString());
      new EvalReport("", o).writeJson(run.outputDir("grounding").resolve("metrics.json"));
    }
    return 0;
  }

  private static ObjectNode metrics(GroundingPredictions.Score s) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("samples", s.samples());
    EvalReport.putNumber(o, "mIoU", s.mIoU());
    o.put("mask_samples", s.maskSamples());
    EvalReport.putNumber(o, "gIoU_box_mask", s.gIoU());
    EvalReport.putNumber(o, "cIoU_box_mask", s.cIoU());
    return o;
  }

  private Path answer() {
    if ((data == null) == (lisa == null)) {
      throw new VirftException("with --model, give exactly one of --data lisa_{split}.json or --lisa DIR");
    }
    List<GroundingQueries.Item> items = data != null ? GroundingQueries.fromFile(data) : GroundingQueries.fromLisaFolder(lisa);
    var log = spec.commandLine().getErr();
    log.printf(Locale.ROOT, "grounding: %d samples%n", items.size());
    Map<String, String> answers = run.answer("grounding", 128,
        items.stream().map(GroundingQueries.Item::query).toList(),
        Map.of("data", (data != null ? data : lisa).toAbsolutePath().normalize().toString()), log);
    Path out = predictions != null ? predictions : run.outputDir("grounding").resolve("predictions.jsonl");
    GroundingQueries.writePredictions(items, answers, out);
    log.println("predictions written to " + out);
    return out;
  }
}
