package dev.virft.cli;

import dev.virft.eval.DetectionDataset;
import dev.virft.eval.DetectionJson;
import dev.virft.eval.EvalReport;
import dev.virft.eval.LvisEval;
import dev.virft.eval.LvisResults;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
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

  @Option(names = "--results", required = true, paramLabel = "R.json",
      description = "Detections: JSON array of {image_id, category_id, bbox [x,y,w,h], score}.")
  Path results;

  @Option(names = "--max-dets", defaultValue = "300", paramLabel = "N",
      description = "Detections kept per image (default ${DEFAULT-VALUE}; negative keeps all).")
  int maxDets;

  @Option(names = "--categories", split = ",", paramLabel = "NAMES",
      description = "Comma-separated category names whose per-class figure is averaged.")
  List<String> categories;

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the metrics to this JSON file.")
  Path json;

  @Override
  public Integer call() {
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
    if (json != null) {
      report.writeJson(json);
    }
    return 0;
  }
}
