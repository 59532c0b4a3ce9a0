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

  @Option(names = "--responses", required = true, paramLabel = "R.jsonl",
      description = "Model responses: .jsonl (or .json array) of {image, response}.")
  Path responses;

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
    ClassificationScore s = ClassificationScore.score(items, ClassificationResponses.read(responses));
    spec.commandLine().getOut().printf(Locale.ROOT,
        "images: %d (no answer tags: %d, no response: %d)%naccuracy (original rule): %.4f (%d right)%n"
            + "strict accuracy (exact match): %.4f (%d right)%n",
        s.total(), s.noAnswer(), s.missing(), s.accuracy(), s.right(), s.strictAccuracy(), s.strictRight());
    if (json != null) {
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("images", s.total());
      out.put("right", s.right());
      out.put("strict_right", s.strictRight());
      out.put("no_answer", s.noAnswer());
      out.put("missing_response", s.missing());
      EvalReport.putNumber(out, "accuracy", s.accuracy());
      EvalReport.putNumber(out, "strict_accuracy", s.strictAccuracy());
      new EvalReport("", out).writeJson(json);
    }
    return 0;
  }
}
