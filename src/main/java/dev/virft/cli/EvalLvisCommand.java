package dev.virft.cli;

import dev.virft.eval.DetectionDataset;
import dev.virft.eval.DetectionJson;
import dev.virft.eval.EvalReport;
import dev.virft.eval.LvisEval;
import dev.virft.eval.LvisResults;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.io.PrintWriter;
import dev.virft.util.VirftException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code virft eval lvis}: lvis-api LVISEval (bbox) of a results file. */
@Command(
    name = "lvis",
    mixinStandardHelpOptions = true,
    description = {
      "LVIS bbox evaluation identical to lvis-api (LVIS, LVISResults(max_dets), LVISEval):",
      "prints AP..APf, AR@N and the Visual-RFT notebook's per-class AP averaged over area ranges."
    })
public final class EvalLvisCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--annotations", required = true, paramLabel = "A.json",
      description = "LVIS annotation file (e.g. lvis_v1_val.json).")
  Path annotations;

  @Option(names = "--results", paramLabel = "R.json",
      description = {"Detections: JSON array of {image_id, category_id, bbox [x,y,w,h], score}.",
          "With --model: where the model's detections are written (default: <output>/prediction_results.json)."})
  Path results;

  @Option(names = "--max-dets", defaultValue = "300", paramLabel = "N",
      description = "Detections kept per image (default ${DEFAULT-VALUE}; negative keeps all).")
  int maxDets;

  @Option(names = "--categories", split = ",", paramLabel = "NAMES",
      description = "Comma-separated category names whose per-class figure is averaged.")
  List<String> categories;

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the metrics to this JSON file.")
  Path json;

  @Mixin ModelEvalOptions run;

  @Option(names = "--images", paramLabel = "DIR",
      description = "With --model: the images of the annotation file (file_name resolved in DIR, DIR/val2017 or DIR/train2017).")
  Path images;

  @Option(names = {"--existence-map", "--existence_map"}, paramLabel = "MAP.json",
      description = {"With --model: {\"<image id>\": [category names]} to ask per image (the original's",
          "exist_map_*_baseline.json); default: the categories with ground truth in the image."})
  Path existenceMap;

  @Override
  public Integer call() {
    List<String> selected = categories == null ? List.of() : categories.stream().map(String::strip).toList();
    PrintWriter log = spec.commandLine().getErr();
    if (run.enabled()) {
      results = DetectionModelRun.run("lvis", run, annotations, images, existenceMap, selected, results, true, log);
    } else if (results == null) {
      throw new VirftException("either --results R.json (score a results file) or --model CKPT (run a checkpoint) is required");
    }
    DetectionDataset gt = DetectionJson.readGroundTruth(annotations, DetectionJson.Format.LVIS);
    LvisEval ev = new LvisEval(gt, LvisResults.load(gt, results, maxDets));
    ev.params().maxDets = maxDets;
    ev.run();
    EvalReport report = EvalReport.lvis(ev, gt,
        categories == null ? List.of() : categories.stream().map(String::strip).toList());
    report.json().put("annotations", annotations.toString());
    report.json().put("results", results.toString());
    spec.commandLine().getOut().print(report.text());
    spec.commandLine().getOut().flush();
    if (run.enabled()) {
      report.json().put("model", run.model.toString());
      report.writeJson(run.outputDir("lvis").resolve("metrics.json"));
    }
    if (json != null) {
      report.writeJson(json);
    }
    return 0;
  }
}
