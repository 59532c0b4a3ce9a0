package dev.virft.cli;

import dev.virft.eval.CocoEval;
import dev.virft.eval.CocoResults;
import dev.virft.eval.DetectionDataset;
import dev.virft.eval.DetectionJson;
import dev.virft.eval.EvalReport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.io.PrintWriter;
import dev.virft.util.VirftException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code virft eval coco}: pycocotools COCOeval (bbox) of a results file. */
@Command(
    name = "coco",
    mixinStandardHelpOptions = true,
    description = {
      "COCO bbox evaluation identical to pycocotools (COCO(ann), loadRes, COCOeval):",
      "prints the 12 stats and Visual-RFT's per-class AP; --categories adds their mean (the paper's mAP)."
    })
public final class EvalCocoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--annotations", required = true, paramLabel = "A.json",
      description = "COCO annotation file (e.g. instances_val2017.json).")
  Path annotations;

  @Option(names = "--results", paramLabel = "R.json",
      description = {"Detections: JSON array of {image_id, category_id, bbox [x,y,w,h], score}.",
          "With --model: where the model's detections are written (default: <output>/prediction_results.json)."})
  Path results;

  @Option(names = "--categories", split = ",", paramLabel = "NAMES",
      description = "Comma-separated category names whose per-class AP is averaged (e.g. \"bus,train\").")
  List<String> categories;

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the metrics to this JSON file.")
  Path json;

  @Mixin ModelEvalOptions run;

  @Option(names = "--images", paramLabel = "DIR",
      description = "With --model: the images of the annotation file (file_name resolved in DIR).")
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
      results = DetectionModelRun.run("coco", run, annotations, images, existenceMap, selected, results, false, log);
    } else if (results == null) {
      throw new VirftException("either --results R.json (score a results file) or --model CKPT (run a checkpoint) is required");
    }
    DetectionDataset gt = DetectionJson.readGroundTruth(annotations, DetectionJson.Format.COCO);
    EvalReport report = score(gt, CocoResults.load(gt, results), categories);
    report.json().put("annotations", annotations.toString());
    report.json().put("results", results.toString());
    spec.commandLine().getOut().print(report.text());
    spec.commandLine().getOut().flush();
    if (run.enabled()) {
      report.json().put("model", run.model.toString());
      report.writeJson(run.outputDir("coco").resolve("metrics.json"));
    }
    if (json != null) {
      report.writeJson(json);
    }
    return 0;
  }

  /** Scores detections already attached to the ground truth. */
  static EvalReport score(DetectionDataset gt, DetectionDataset dt, List<String> categories) {
    CocoEval ev = new CocoEval(gt, dt).run();
    return EvalReport.coco(ev, gt, categories == null ? List.of() : categories.stream().map(String::strip).toList());
  }
}
