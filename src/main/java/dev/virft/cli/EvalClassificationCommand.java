package dev.virft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.eval.ClassificationResponses;
import dev.virft.eval.ClassificationScore;
import dev.virft.eval.ClassificationValList;
import dev.virft.eval.EvalReport;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.Map;
import dev.virft.data.Prompts;
import dev.virft.inference.ClassificationQueries;
import dev.virft.inference.ModelQuery;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code virft eval classification}: accuracy of model answers over a validation list. */
@Command(
    name = "classification",
    mixinStandardHelpOptions = true,
    description = {
      "Fine-grained classification accuracy: the original rule (answer in <answer></answer>, spaces and",
      "underscores removed, lowercase, either string inside the other) and a strict exact match."
    })
public final class EvalClassificationCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--val-list", required = true, paramLabel = "V",
      description = "Validation list (.json/.jsonl of {image, label} or {path: {label}}, or .tsv 'path<TAB>label'); not the .pth pickle.")
  Path valList;

  @Option(names = "--class-names", required = true, paramLabel = "C.txt",
      description = "Class names, one per line; label N is line N (0-based).")
  Path classNames;

  @Option(names = "--responses", paramLabel = "R.jsonl",
      description = {"Model responses: .jsonl (or .json array) of {image, response}.",
          "With --model: where the model's responses are written (default: <output>/responses.jsonl)."})
  Path responses;

  @Mixin ModelEvalOptions run;

  @Option(names = "--dataset", paramLabel = "NAME",
      description = "With --model: the prompt of flowers, pets, cars or aircraft (spec: the original's sentences).")
  String dataset;

  @Option(names = "--sentence", paramLabel = "TEXT",
      description = "With --model: the first sentence of the prompt instead of --dataset's.")
  String sentence;

  @Option(names = "--replace-prefix", paramLabel = "OLD=NEW",
      description = "Rewrite image paths of the val list starting with OLD to start with NEW.")
  String replacePrefix;

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the metrics to this JSON file.")
  Path json;

  @Override
  public Integer call() {
    String from = null, to = null;
    if (replacePrefix != null) {
      int eq = replacePrefix.indexOf('=');
      if (eq <= 0) {
        throw new VirftException("--replace-prefix: expected OLD=NEW, got '" + replacePrefix + "'");
      }
      from = replacePrefix.substring(0, eq);
      to = replacePrefix.substring(eq + 1);
    }
    List<ClassificationValList.Item> items =
        ClassificationValList.read(valList, ClassificationValList.readClassNames(classNames), from, to);
    if (run.enabled()) {
      responses = answer(items);
    } else if (responses == null) {
      throw new VirftException("either --responses R.jsonl (score responses) or --model CKPT (run a checkpoint) is required");
    }
    ClassificationScore s = ClassificationScore.score(items, ClassificationResponses.read(responses));
    spec.commandLine().getOut().printf(Locale.ROOT,
        "images: %d (no answer tags: %d, no response: %d)%naccuracy (original rule): %.4f (%d right)%n"
            + "strict accuracy (exact match): %.4f (%d right)%n",
        s.total(), s.noAnswer(), s.missing(), s.accuracy(), s.right(), s.strictAccuracy(), s.strictRight());
    if (json != null) {
      ObjectNode out = metrics(s);
      new EvalReport("", out).writeJson(json);
    }
    if (run.enabled()) {
      ObjectNode out = metrics(s);
      out.put("model", run.model.toString());
      new EvalReport("", out).writeJson(run.outputDir("classification").resolve("metrics.json"));
    }
    return 0;
  }

  private static ObjectNode metrics(ClassificationScore s) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("images", s.total());
    out.put("right", s.right());
    out.put("strict_right", s.strictRight());
    out.put("no_answer", s.noAnswer());
    out.put("missing_response", s.missing());
    EvalReport.putNumber(out, "accuracy", s.accuracy());
    EvalReport.putNumber(out, "strict_accuracy", s.strictAccuracy());
    return out;
  }

  private Path answer(List<ClassificationValList.Item> items) {
    if ((dataset == null) == (sentence == null)) {
      throw new VirftException("with --model, give exactly one of --dataset (flowers, pets, cars, aircraft) or --sentence");
    }
    String first;
    try {
      first = sentence != null ? sentence : Prompts.classificationSentence(dataset);
    } catch (IllegalArgumentException e) {
      throw new VirftException("--dataset: " + e.getMessage());
    }
    List<ModelQuery> queries = ClassificationQueries.plan(items, valList, first, run.imagePrefix());
    Map<String, String> answers = run.answer("classification", 1024, queries,
        Map.of("prompt_sentence", first), spec.commandLine().getErr());
    Path out = responses != null ? responses : run.outputDir("classification").resolve("responses.jsonl");
    ClassificationQueries.writeResponses(queries, answers, out);
    spec.commandLine().getErr().println("responses written to " + out);
    return out;
  }
}
