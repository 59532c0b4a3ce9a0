package dev.virft.train;

import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
      TrainableModel model,
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
            // Ordered, so the same state gives the same bytes (Map.of iterates in a per-run order).
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("optimizer", "adamw");
            meta.put("step", Long.toString(optimizer.stepCount()));
            meta.put("trainer", state.trainer);
            Safetensors.write(dir.resolve(OPTIMIZER_FILE), optimizer.stateTensors(), meta);
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

  /** {@link #resolve(String, Path, String, PrintStream)} without a trainer-kind check. */
  public static Path resolve(String arg, Path outputDir) {
    return resolve(arg, outputDir, null, System.err);
  }

  /**
   * The checkpoint to resume: {@code latest} is the newest readable {@code checkpoint-N/} in the
   * output dir (an unreadable newer one, say half-copied, is passed over with a note on {@code log});
   * otherwise the given path. Either must hold a trainer state written by {@code trainer} ("grpo" or
   * "sft"; null: any) and the optimizer moments.
   */
  public static Path resolve(String arg, Path outputDir, String trainer, PrintStream log) {
    Path p;
    if ("latest".equals(arg)) {
      List<Path> all = candidates(outputDir);
      if (all.isEmpty()) {
        throw new VirftException(
            "--resume_from_checkpoint latest: no checkpoint-N/ with " + TrainerState.FILE + " in " + outputDir);
      }
      p = null;
      List<String> passedOver = new ArrayList<>();
      for (Path c : all) {
        String problem = problem(c, trainer);
        if (problem == null) {
          p = c;
          break;
        }
        passedOver.add(problem);
      }
      if (p == null) {
        throw new VirftException("--resume_from_checkpoint latest: no readable checkpoint in " + outputDir
            + " (" + String.join("; ", passedOver) + ")");
      }
      for (String why : passedOver) {
        log.println("note: --resume_from_checkpoint latest: passing over " + why);
      }
      if (!passedOver.isEmpty()) {
        log.println("note: --resume_from_checkpoint latest: resuming from " + p + ", the newest readable checkpoint");
      }
    } else {
      p = Path.of(arg);
      String problem = problem(p, trainer);
      if (problem != null) {
        throw new VirftException("--resume_from_checkpoint " + problem);
      }
    }
    return p;
  }

  /** Why a checkpoint cannot be resumed (naming it), or null when it can. */
  static String problem(Path p, String trainer) {
    if (!Files.isRegularFile(p.resolve(TrainerState.FILE))) {
      return p + ": no " + TrainerState.FILE + " (not a checkpoint-N/ directory)";
    }
    boolean sharded = hasOptimizerShards(p);
    if (!sharded && !Files.isRegularFile(p.resolve(OPTIMIZER_FILE))) {
      return p + ": no " + OPTIMIZER_FILE
          + " (saved with --save_only_model, so the optimizer moments needed to resume exactly are missing)";
    }
    try {
      TrainerState st = TrainerState.read(p.resolve(TrainerState.FILE));
      if (trainer != null && !trainer.equals(st.trainer)) {
        return p + ": written by 'virft " + (st.trainer.equals("grpo") ? "train" : st.trainer) + "' (trainer '"
            + st.trainer + "' in " + TrainerState.FILE + "), expected a checkpoint of 'virft "
            + (trainer.equals("grpo") ? "train" : trainer) + "'; resume it with that command";
      }
      if (!sharded) {
        Safetensors.readHeader(p.resolve(OPTIMIZER_FILE));
      }
      if (Files.isRegularFile(p.resolve(Safetensors.SINGLE_FILE))) {
        Safetensors.readHeader(p.resolve(Safetensors.SINGLE_FILE));
      } else if (Files.isRegularFile(p.resolve(ADAPTER_FILE))) {
        Safetensors.readHeader(p.resolve(ADAPTER_FILE));
      } else if (!Files.isRegularFile(p.resolve(Safetensors.INDEX_FILE))) {
        return p + ": no model weights (" + Safetensors.SINGLE_FILE + " or " + ADAPTER_FILE + ")";
      }
    } catch (VirftException e) {
      return e.getMessage();
    }
    return null;
  }

  private static final String ADAPTER_FILE = "adapter_model.safetensors";

  /** Prefix of the per-rank optimizer shards a ZeRO-sharded run writes instead of {@link #OPTIMIZER_FILE}. */
  public static final String OPTIMIZER_SHARD_PREFIX = "optimizer-rank-";

  private static boolean hasOptimizerShards(Path checkpoint) {
    try (Stream<Path> s = Files.list(checkpoint)) {
      return s.anyMatch(f -> f.getFileName().toString().startsWith(OPTIMIZER_SHARD_PREFIX));
    } catch (IOException e) {
      return false;
    }
  }

  /** Newest first: checkpoint-N/ directories that hold a trainer state. */
  private static List<Path> candidates(Path outputDir) {
    if (!Files.isDirectory(outputDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(outputDir)) {
      return s.filter(d -> NAME.matcher(d.getFileName().toString()).matches())
          .filter(d -> Files.isRegularFile(d.resolve(TrainerState.FILE)))
          .sorted((a, b) -> Long.compare(stepOf(b), stepOf(a)))
          .toList();
    } catch (IOException e) {
      throw new VirftException(outputDir + ": cannot list: " + e.getMessage(), e);
    }
  }

  public static Path latest(Path outputDir) {
    List<Path> all = candidates(outputDir);
    return all.isEmpty() ? null : all.get(0);
  }

  private static long stepOf(Path d) {
    Matcher m = NAME.matcher(d.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /**
   * Removes what an interrupted save left in the output dir: temporaries of checkpoint directories
   * ({@code .checkpoint-N.*}) and of files ({@code .NAME.<digits>.tmp}). A {@code .checkpoint-N.old}
   * is the complete previous checkpoint moved aside while its replacement was renamed in; when the
   * crash came between the two renames it is the only copy, so it is put back instead.
   */
  public static int cleanTemporaries(Path outputDir, PrintStream log) {
    if (!Files.isDirectory(outputDir)) {
      return 0;
    }
    int removed = 0;
    List<Path> entries;
    try (Stream<Path> s = Files.list(outputDir)) {
      entries = s.sorted().toList();
    } catch (IOException e) {
      throw new VirftException(outputDir + ": cannot list: " + e.getMessage(), e);
    }
    for (Path e : entries) {
      String name = e.getFileName().toString();
      Matcher m = TEMPORARY.matcher(name);
      try {
        if (m.matches()) {
          Path finalName = outputDir.resolve(m.group(1));
          if (m.group(2).equals("old") && !Files.exists(finalName)) {
            Files.move(e, finalName);
            log.println("note: put back " + finalName + " (a save was interrupted while replacing it)");
            continue;
          }
          AtomicFiles.deleteRecursively(e);
          removed++;
        } else if (TEMPORARY_FILE.matcher(name).matches() && Files.isRegularFile(e)) {
          Files.delete(e);
          removed++;
        }
      } catch (IOException ex) {
        throw new VirftException(e + ": cannot remove this leftover temporary: " + ex.getMessage(), ex);
      }
    }
    if (removed > 0) {
      log.println("note: removed " + removed + " temporaries an interrupted save left in " + outputDir);
    }
    return removed;
  }

  private static final Pattern TEMPORARY = Pattern.compile("\\.(checkpoint-\\d+)\\.(.+)");
  private static final Pattern TEMPORARY_FILE = Pattern.compile("\\..+\\.\\d+\\.tmp");

  /**
   * A step failed: saves the last completed step (when the failed one changed no weight and it is not
   * saved yet) so no finished work is lost, then lets the failure go on. A failing save is attached
   * to the failure, which stays the one reported.
   */
  public static void saveBeforeFailing(Throwable failure, boolean stateIsConsistent, long step, long lastSaved,
      Runnable save, PrintStream log) {
    if (!stateIsConsistent || step <= lastSaved || step == 0) {
      return;
    }
    log.println();
    log.println("note: step " + (step + 1) + " failed; saving checkpoint-" + step + " (the last completed step) first");
    try {
      save.run();
    } catch (RuntimeException | Error e) {
      failure.addSuppressed(e);
    }
  }

  public static void loadOptimizer(Path checkpoint, AdamW optimizer, long stepCount) {
    Path f = checkpoint.resolve(OPTIMIZER_FILE);
    StateDict sd = Safetensors.read(f);
    optimizer.loadState(sd.asMap(), stepCount, f.toString());
  }
}
