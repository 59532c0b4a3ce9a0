package dev.virft.rl;

import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code checkpoint-N/} directories: the model in the hub layout, tokenizer/processor files copied
 * from the base model, generation_config.json, trainer_state.json and (unless --save_only_model)
 * optimizer.safetensors. Written to a temporary directory and renamed into place.
 */
public final class Checkpoints {
  public static final String OPTIMIZER_FILE = "optimizer.safetensors";
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");

  /** Files of a hub checkpoint that are not weights and that a trained checkpoint must carry along. */
  static final List<String> BASE_FILES =
      List.of(
          "tokenizer.json",
          "tokenizer_config.json",
          "vocab.json",
          "merges.txt",
          "special_tokens_map.json",
          "added_tokens.json",
          "chat_template.json",
          "chat_template.jinja",
          "preprocessor_config.json",
          "video_preprocessor_config.json",
          "generation_config.json");

  private Checkpoints() {}

  public static Path write(
      Path outputDir,
      TrainerState state,
      PolicyModel<?> model,
      Path baseModelDir,
      AdamW optimizer,
      long[] stopIds,
      long padId) {
    Path target = outputDir.resolve("checkpoint-" + state.globalStep);
    AtomicFiles.writeDirectory(
        target,
        dir -> {
          model.save(dir);
          copyBaseFiles(baseModelDir, dir);
          if (!Files.exists(dir.resolve("generation_config.json"))) {
            var g = Json.MAPPER.createObjectNode();
            var eos = g.putArray("eos_token_id");
            for (long s : stopIds) {
              eos.add(s);
            }
            g.put("pad_token_id", padId);
            Files.writeString(dir.resolve("generation_config.json"), g.toPrettyString());
          }
          if (optimizer != null) {
            Safetensors.write(
                dir.resolve(OPTIMIZER_FILE),
                optimizer.stateTensors(),
                Map.of("optimizer", "adamw", "step", Long.toString(optimizer.stepCount())));
          }
          Files.writeString(dir.resolve(TrainerState.FILE), state.toJson().toPrettyString());
        });
    return target;
  }

  /** Copies the tokenizer/processor/generation files of a checkpoint that exist ({@link #BASE_FILES}). */
  public static void copyBaseFiles(Path from, Path to) throws IOException {
    for (String f : BASE_FILES) {
      Path src = from == null ? null : from.resolve(f);
      if (src != null && Files.isRegularFile(src)) {
        Files.copy(src, to.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** {@code latest} → newest complete checkpoint in the output dir; otherwise the given path. */
  public static Path resolve(String arg, Path outputDir) {
    Path p;
    if ("latest".equals(arg)) {
      p = latest(outputDir);
      if (p == null) {
        throw new VirftException(
            "--resume_from_checkpoint latest: no checkpoint-N/ with " + TrainerState.FILE + " in " + outputDir);
      }
    } else {
      p = Path.of(arg);
    }
    if (!Files.isRegularFile(p.resolve(TrainerState.FILE))) {
      throw new VirftException(
          "--resume_from_checkpoint " + p + ": no " + TrainerState.FILE + " (not a checkpoint-N/ directory)");
    }
    if (!Files.isRegularFile(p.resolve(OPTIMIZER_FILE))) {
      throw new VirftException(
          "--resume_from_checkpoint " + p + ": no " + OPTIMIZER_FILE
              + " (saved with --save_only_model, so the optimizer moments needed to resume exactly are missing)");
    }
    return p;
  }

  public static Path latest(Path outputDir) {
    if (!Files.isDirectory(outputDir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(outputDir)) {
      return s.filter(d -> NAME.matcher(d.getFileName().toString()).matches())
          .filter(d -> Files.isRegularFile(d.resolve(TrainerState.FILE)))
          .max((a, b) -> Long.compare(stepOf(a), stepOf(b)))
          .orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long stepOf(Path d) {
    Matcher m = NAME.matcher(d.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  public static void loadOptimizer(Path checkpoint, AdamW optimizer, long stepCount) {
    Path f = checkpoint.resolve(OPTIMIZER_FILE);
    StateDict sd = Safetensors.read(f);
    optimizer.loadState(sd.asMap(), stepCount, f.toString());
  }
}
