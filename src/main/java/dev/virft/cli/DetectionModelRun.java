package dev.virft.cli;

import dev.virft.data.build.CocoAnnotations;
import dev.virft.inference.DetectionQueries;
import dev.virft.inference.ModelQuery;
import dev.virft.util.VirftException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model half of {@code virft eval coco|lvis --model}: asks the checkpoint about every (image,
 * category) pair, turns the answers into a COCO results file and returns its path for scoring.
 */
final class DetectionModelRun {
  private DetectionModelRun() {}

  static Path run(String task, ModelEvalOptions opts, Path annotations, Path images, Path existenceMap,
      List<String> categories, Path resultsOut, boolean lvis, PrintWriter log) {
    if (images == null) {
      throw new VirftException("--images DIR is required with --model (the folder of the annotation file's images)");
    }
    CocoAnnotations ann = CocoAnnotations.read(annotations);
    List<DetectionQueries.Item> items = DetectionQueries.plan(ann, images, existenceMap, categories, lvis, opts.imagePrefix());
    log.printf(Locale.ROOT, "%s: %d (image, category) queries over %d images, categories from %s%n", task,
        items.size(), items.stream().mapToLong(DetectionQueries.Item::imageId).distinct().count(),
        existenceMap == null ? "the ground truth" : existenceMap.toString());
    List<ModelQuery> queries = items.stream().map(DetectionQueries.Item::query).toList();
    Map<String, String> answers = opts.answer(task, 1024, queries,
        Map.of("annotations", annotations.toAbsolutePath().normalize().toString()), log);
    DetectionQueries.Results r = DetectionQueries.results(items, answers);
    Path out = resultsOut != null ? resultsOut : opts.outputDir(task).resolve("prediction_results.json");
    DetectionQueries.write(r.results(), out);
    log.printf(Locale.ROOT, "%d boxes written to %s (%d answers failed to parse midway, %d boxes with a non-finite value left out)%n",
        r.results().size(), out, r.parseErrors(), r.nonFiniteScores());
    log.flush();
    return out;
  }
}
