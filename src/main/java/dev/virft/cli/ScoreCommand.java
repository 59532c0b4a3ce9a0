package dev.virft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.reward.RewardRegistry;
import dev.virft.reward.RewardScores;
import dev.virft.reward.RewardSelection;
import dev.virft.reward.Task;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code virft score}: scores existing completions offline, one JSON line out per line in, to audit
 * rewards on real model outputs.
 */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Score completions offline. Each input line: {\"completion\": ..., \"solution\": ..., other columns}.",
      "Prints one JSON line per input: {\"line\": N, \"rewards\": {name: value}, \"total\": sum};",
      "a reward that is not a finite number (NaN) is written as null, so every line stays valid JSON."
    })
public final class ScoreCommand implements Runnable {
  @Option(
      names = {"--reward_funcs", "--reward-funcs"},
      required = true,
      description = "Rewards, e.g. accuracy_iou,accuracy_confidence,format or detection or accuracy_iou:1,format:0.5"
          + " (suffix @guarded for the guarded variant).")
  String rewardFuncs;

  @Option(names = "--task", description = "detection | classification | grounding: resolves 'accuracy'.")
  String task;

  @Option(names = "--input", required = true, description = "JSONL file of completions.")
  Path input;

  @Option(names = "--output", description = "Write the JSONL here (atomically) instead of standard output.")
  Path output;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    RewardSelection selection =
        RewardSelection.parse(rewardFuncs, task == null ? null : Task.parse(task), RewardRegistry.standard());
    if (!Files.isRegularFile(input)) {
      throw new VirftException(input + ": file not found");
    }
    if (output != null) {
      OptionChecks.outputFile("--output", output);
    }
    if (output == null) {
      PrintWriter out = spec.commandLine().getOut();
      score(selection, out);
      out.flush();
    } else {
      StringWriter buffer = new StringWriter();
      try (PrintWriter out = new PrintWriter(buffer)) {
        score(selection, out);
      }
      AtomicFiles.writeString(output, buffer.toString());
    }
  }

  private void score(RewardSelection selection, PrintWriter out) {
    try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode row = parseLine(line, lineNo);
        String completion = textField(row, "completion", lineNo);
        String solution = textField(row, "solution", lineNo);
        Map<String, Object> columns = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getKey().equals("completion") && !e.getKey().equals("solution")) {
            columns.put(e.getKey(), Json.COMPACT.convertValue(e.getValue(), Object.class));
          }
        }
        RewardScores scores = selection.score(completion, solution, columns);
        ObjectNode result = Json.COMPACT.createObjectNode();
        result.put("line", lineNo);
        ObjectNode rewards = result.putObject("rewards");
        for (int i = 0; i < scores.values().length; i++) {
          putNumber(rewards, scores.names().get(i), scores.values()[i]);
        }
        putNumber(result, "total", scores.total());
        out.println(Json.line(result));
      }
    } catch (IOException e) {
      throw new VirftException(input + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * A reward as a JSON number; NaN and infinities (a completion with a NaN confidence, say) as null.
   * Python's json.dumps would write a bare NaN, which is not JSON (jq, JavaScript and strict parsers
   * refuse the line); null is what json.loads reads back as None and what pandas reads as missing.
   */
  private static void putNumber(ObjectNode o, String name, double v) {
    if (Double.isFinite(v)) {
      o.put(name, v);
    } else {
      o.putNull(name);
    }
  }

  private JsonNode parseLine(String line, int lineNo) {
    try {
      JsonNode row = Json.COMPACT.readTree(line);
      if (row == null || !row.isObject()) {
        throw new VirftException(
            input + ":" + lineNo + ": expected a JSON object {\"completion\": ..., \"solution\": ...}");
      }
      return row;
    } catch (JsonProcessingException e) {
      throw new VirftException(input + ":" + lineNo + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private String textField(JsonNode row, String field, int lineNo) {
    JsonNode v = row.get(field);
    if (v == null || !v.isTextual()) {
      throw new VirftException(
          input + ":" + lineNo + ": field '" + field + "': expected a string, got "
              + (v == null ? "nothing" : v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
    }
    return v.asText();
  }
}
