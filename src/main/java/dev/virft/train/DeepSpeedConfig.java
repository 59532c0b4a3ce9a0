package dev.virft.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * {@code --deepspeed FILE}: the fields of a DeepSpeed JSON (such as the original's
 * {@code local_scripts/zero3.json}) that map onto this trainer: {@code zero_optimization.stage} (0, 1,
 * 2; 3 runs as 2, see below) and {@code reduce_bucket_size}. What is not supported is listed in
 * {@link #notes}, never silently dropped: parameter sharding (stage 3), CPU/NVMe offload, fp16 loss
 * scaling. Batch sizes, accumulation and clipping come from the command line ({@code "auto"} in the
 * original's configs means exactly that).
 */
public record DeepSpeedConfig(Zero zero, long bucketElements, List<String> notes) {
  private static final Set<String> HANDLED_ZERO =
      Set.of("stage", "reduce_bucket_size", "offload_optimizer", "offload_param", "overlap_comm",
          "contiguous_gradients", "reduce_scatter", "allgather_partitions", "allgather_bucket_size");
  private static final Set<String> FROM_COMMAND_LINE =
      Set.of("train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps",
          "gradient_clipping", "steps_per_print", "wall_clock_breakdown", "bf16", "fp16", "zero_optimization",
          "zero_allow_untested_optimizer");

  public static DeepSpeedConfig none() {
    return new DeepSpeedConfig(Zero.NONE, Zero.DEFAULT_BUCKET_ELEMENTS, List.of());
  }

  /** Reads {@code file}; a missing file is a note (the original's launch scripts name one), not an error. */
  public static DeepSpeedConfig read(Path file) {
    if (file == null) {
      return none();
    }
    List<String> notes = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      notes.add("--deepspeed " + file + ": no such file; running without ZeRO sharding");
      return new DeepSpeedConfig(Zero.NONE, Zero.DEFAULT_BUCKET_ELEMENTS, notes);
    }
    JsonNode root = Json.read(file);
    if (!root.isObject()) {
      throw new VirftException(file + ": expected a JSON object (a DeepSpeed config)");
    }
    JsonNode z = root.path("zero_optimization");
    int stage = 0;
    long bucket = Zero.DEFAULT_BUCKET_ELEMENTS;
    if (z.isObject()) {
      JsonNode st = z.get("stage");
      if (st != null) {
        if (!st.canConvertToInt() || st.asInt() < 0 || st.asInt() > 3) {
          throw new VirftException(file + ": field 'zero_optimization.stage': expected 0, 1, 2 or 3, got " + st);
        }
        stage = st.asInt();
      }
      JsonNode rb = z.get("reduce_bucket_size");
      if (rb != null && rb.isNumber()) {
        if (rb.asDouble() < 1) {
          throw new VirftException(file + ": field 'zero_optimization.reduce_bucket_size': expected a positive "
              + "number of elements, got " + rb);
        }
        bucket = (long) rb.asDouble();
      }
      for (String off : List.of("offload_optimizer", "offload_param")) {
        String dev = z.path(off).path("device").asText("none");
        if (!dev.equals("none")) {
          notes.add(off + ".device=" + dev + " is not supported (state stays on the training device)");
        }
      }
      List<String> stage3 = new ArrayList<>();
      for (Iterator<String> it = z.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (f.startsWith("stage3_") || f.equals("sub_group_size")) {
          stage3.add(f);
        } else if (!HANDLED_ZERO.contains(f)) {
          notes.add("zero_optimization." + f + " is not supported (ignored)");
        }
      }
      if (stage == 3) {
        notes.add("ZeRO stage 3 (parameter sharding) is not supported; running stage 2: AdamW moments and reduced "
            + "gradients sharded over ranks, parameters and master weights replicated" + (stage3.isEmpty() ? "" : "; ignored " + stage3));
      }
    }
    JsonNode fp16 = root.path("fp16").path("enabled");
    if (fp16.isBoolean() && fp16.asBoolean()) {
      notes.add("fp16 is not supported (CUDA computes in bf16 with float32 masters; no loss scaling needed)");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FROM_COMMAND_LINE.contains(f)) {
        notes.add(f + " is not supported (ignored)");
      }
    }
    return new DeepSpeedConfig(Zero.ofStage(Math.min(stage, 2)), bucket, notes);
  }

  /** One note line for stderr, or null when everything mapped. */
  public String note(Path file) {
    if (notes.isEmpty()) {
      return null;
    }
    return "note: --deepspeed " + file.getFileName() + ": ZeRO stage " + zero.stage + "; " + String.join("; ", notes);
  }
}
