package dev.virft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.data.Prompts;
import dev.virft.inference.AnswerLog;
import dev.virft.inference.BatchedAnswers;
import dev.virft.inference.ModelQuery;
import dev.virft.inference.VisionChat;
import dev.virft.tensor.Device;
import dev.virft.util.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of {@code virft eval X --model CKPT}: which checkpoint answers, how (batch, tokens,
 * device, image size) and where the answers log and outputs go. Shared by the four eval commands.
 */
public final class ModelEvalOptions {
  @Option(names = "--model", paramLabel = "CKPT",
      description = "Checkpoint directory to evaluate: run it on the data first, then score its answers.")
  Path model;

  @Option(names = "--processor", paramLabel = "DIR",
      description = "Tokenizer / chat template / preprocessor directory (default: --model; the original loads them from the base model).")
  Path processor;

  @Option(names = {"--batch_size", "--batch-size"}, defaultValue = "8", paramLabel = "N",
      description = "Queries per generate call (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = {"--max_new_tokens", "--max-new-tokens"}, paramLabel = "N",
      description = "Generated tokens per answer (default: 1024, grounding 128, as the original's scripts).")
  Integer maxNewTokens;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda",
      description = "cpu (float32) or cuda (bf16 compute); default ${DEFAULT-VALUE}.")
  String device;

  @Option(names = {"--min_pixels", "--min-pixels"}, paramLabel = "N",
      description = "Image resizing lower bound (default: the processor's; the original keeps it).")
  Long minPixels;

  @Option(names = {"--max_pixels", "--max-pixels"}, paramLabel = "N",
      description = "Image resizing upper bound (default: the processor's; the original keeps it).")
  Long maxPixels;

  @Option(names = {"--output", "--output_dir"}, paramLabel = "DIR",
      description = "Where answers.jsonl (resumable), the predictions and metrics.json go (default: eval_output/<task>).")
  Path output;

  @Option(names = "--no-image-prefix",
      description = {"Send detection/classification questions as the training prompts (without the \"<image>\\n\"",
          "the original's evaluation puts first): for models fine-tuned on training prompts only, e.g. the demo's."})
  boolean noImagePrefix;

  /** What goes before a detection or classification question. */
  String imagePrefix() {
    return noImagePrefix ? "" : Prompts.EVAL_IMAGE_PREFIX;
  }

  boolean enabled() {
    return model != null;
  }

  Path outputDir(String task) {
    return output != null ? output : Path.of("eval_output", task);
  }

  int maxNewTokens(int dflt) {
    return maxNewTokens != null ? maxNewTokens : dflt;
  }

  /**
   * Answers the queries, reusing and extending {@code <output>/answers.jsonl}. The log's header holds
   * what decides the answers (task, checkpoint, processor, tokens, pixels and {@code extra}), so a
   * rerun with other settings is refused instead of silently mixing answers.
   */
  Map<String, String> answer(String task, int defaultMaxNew, List<ModelQuery> queries, Map<String, String> extra,
      PrintWriter out) {
    OptionChecks.outputDirectory("--output", outputDir(task));
    OptionChecks.require(batchSize >= 1, "--batch_size", "at least 1", batchSize);
    int maxNew = maxNewTokens(defaultMaxNew);
    OptionChecks.require(maxNew >= 1, "--max_new_tokens", "at least 1", maxNew);
    Path procDir = processor != null ? processor : model;
    ObjectNode run = Json.MAPPER.createObjectNode();
    run.put("task", task);
    run.put("model", model.toAbsolutePath().normalize().toString());
    run.put("processor", procDir.toAbsolutePath().normalize().toString());
    run.put("max_new_tokens", maxNew);
    if (minPixels != null) {
      run.put("min_pixels", minPixels);
    }
    if (maxPixels != null) {
      run.put("max_pixels", maxPixels);
    }
    run.put("image_prefix", imagePrefix());
    extra.forEach(run::put);
    VisionChat.Settings settings =
        new VisionChat.Settings(model, procDir, Device.parse(device), maxNew, minPixels, maxPixels);
    try (AnswerLog log = AnswerLog.open(outputDir(task).resolve("answers.jsonl"), run)) {
      return BatchedAnswers.run(queries, () -> VisionChat.load(settings), log, batchSize, out);
    }
  }
}
