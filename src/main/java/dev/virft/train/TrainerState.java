package dev.virft.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything besides weights and moments that a resumed run needs to continue exactly: position
 * (step, epoch, index in epoch), the seed every random draw derives from (see {@link Seeds}), the
 * optimizer's step counter, and the metrics history (so metrics.jsonl and report.html stay whole).
 */
public final class TrainerState {
  public static final String FILE = "trainer_state.json";
  static final int VERSION = 1;

  public long globalStep;
  public long maxSteps;
  public long optimizerSteps;
  public int epoch;
  public int indexInEpoch;
  public long seed;
  public int skippedSteps;
  public String trainer = "grpo";
  public List<Map<String, Object>> logHistory = new ArrayList<>();

  public ObjectNode toJson() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("version", VERSION);
    o.put("trainer", trainer);
    o.put("global_step", globalStep);
    o.put("max_steps", maxSteps);
    o.put("optimizer_steps", optimizerSteps);
    o.put("epoch", epoch);
    o.put("index_in_epoch", indexInEpoch);
    ObjectNode rng = o.putObject("rng");
    rng.put("seed", seed);
    rng.put(
        "scheme",
        "every draw is seeded with Seeds.of(seed, step, slot); epoch order = shuffle(Random(seed+epoch))");
    o.put("skipped_steps", skippedSteps);
    o.set("log_history", Json.MAPPER.valueToTree(logHistory));
    return o;
  }

  public static TrainerState read(Path file) {
    JsonNode o = Json.read(file);
    if (o.path("version").asInt(-1) != VERSION) {
      throw new VirftException(file + ": field 'version': expected " + VERSION);
    }
    TrainerState s = new TrainerState();
    s.trainer = o.path("trainer").asText("grpo");
    s.globalStep = required(o, "global_step", file).asLong();
    s.maxSteps = required(o, "max_steps", file).asLong();
    s.optimizerSteps = required(o, "optimizer_steps", file).asLong();
    s.epoch = required(o, "epoch", file).asInt();
    s.indexInEpoch = required(o, "index_in_epoch", file).asInt();
    s.seed = required(o.path("rng"), "seed", file).asLong();
    s.skippedSteps = o.path("skipped_steps").asInt(0);
    for (JsonNode h : o.path("log_history")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = Json.MAPPER.convertValue(h, LinkedHashMap.class);
      s.logHistory.add(m);
    }
    return s;
  }

  private static JsonNode required(JsonNode o, String field, Path file) {
    JsonNode v = o.get(field);
    if (v == null || !v.isNumber()) {
      throw new VirftException(file + ": field '" + field + "': expected a number");
    }
    return v;
  }
}
