package dev.virft.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How to generate: greedy or sampled (temperature, then top-k, then top-p, as transformers applies
 * them), stop token ids, the pad id written after a sequence stops, samples per prompt and a seed.
 * {@code topK <= 0} and {@code topP >= 1} disable those filters.
 */
public record GenerationConfig(
    int maxNewTokens,
    boolean doSample,
    double temperature,
    int topK,
    double topP,
    long[] stopTokenIds,
    long padTokenId,
    int numReturnSequences,
    long seed,
    long[] suppressTokenIds,
    double repetitionPenalty) implements dev.virft.generation.GenerationParams {

  public GenerationConfig {
    if (maxNewTokens < 0) {
      throw new VirftException("generation: max_new_tokens is " + maxNewTokens + ", expected >= 0");
    }
    if (doSample && !(temperature > 0)) {
      throw new VirftException("generation: temperature is " + temperature + ", expected > 0");
    }
    if (!(topP > 0)) {
      throw new VirftException("generation: top_p is " + topP + ", expected in (0, 1]");
    }
    if (numReturnSequences < 1) {
      throw new VirftException(
          "generation: num_return_sequences is " + numReturnSequences + ", expected >= 1");
    }
    if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
      throw new VirftException(
          "generation: repetition_penalty is " + repetitionPenalty + ", expected a finite number > 0");
    }
    stopTokenIds = stopTokenIds == null ? new long[0] : stopTokenIds.clone();
    suppressTokenIds = suppressTokenIds == null ? new long[0] : suppressTokenIds.clone();
  }

  public GenerationConfig(int maxNewTokens, boolean doSample, double temperature, int topK,
      double topP, long[] stopTokenIds, long padTokenId, int numReturnSequences, long seed) {
    this(maxNewTokens, doSample, temperature, topK, topP, stopTokenIds, padTokenId,
        numReturnSequences, seed, new long[0], 1.0);
  }

  public GenerationConfig(int maxNewTokens, boolean doSample, double temperature, int topK,
      double topP, long[] stopTokenIds, long padTokenId, int numReturnSequences, long seed,
      long[] suppressTokenIds) {
    this(maxNewTokens, doSample, temperature, topK, topP, stopTokenIds, padTokenId,
        numReturnSequences, seed, suppressTokenIds, 1.0);
  }

  /**
   * The same config, never choosing these ids (transformers' {@code suppress_tokens}). Training and
   * evaluation suppress the vision placeholders: a sampled {@code <|image_pad|>} would have no image
   * features behind it when the completion is scored.
   */
  /** The default seed of each prompt: prompt p samples from a generator seeded with {@code seed + p}. */
  public long[] promptSeeds(int prompts) {
    long[] seeds = new long[prompts];
    for (int p = 0; p < prompts; p++) {
      seeds[p] = seed + p;
    }
    return seeds;
  }

  public GenerationConfig withSuppressedTokens(long... ids) {
    return new GenerationConfig(maxNewTokens, doSample, temperature, topK, topP, stopTokenIds,
        padTokenId, numReturnSequences, seed, ids, repetitionPenalty);
  }

  /**
   * The same config with transformers' {@code repetition_penalty}: before choosing, the logit of every
   * id already in the row (prompt, padding included, and generated tokens) is divided by it when
   * positive and multiplied by it when negative. 1 turns it off.
   */
  public GenerationConfig withRepetitionPenalty(double penalty) {
    return new GenerationConfig(maxNewTokens, doSample, temperature, topK, topP, stopTokenIds,
        padTokenId, numReturnSequences, seed, suppressTokenIds, penalty);
  }

  public static GenerationConfig greedy(int maxNewTokens, long[] stopTokenIds, long padTokenId) {
    return new GenerationConfig(maxNewTokens, false, 1.0, 0, 1.0, stopTokenIds, padTokenId, 1, 0);
  }

  public static GenerationConfig sampling(int maxNewTokens, double temperature, int topK, double topP,
      long[] stopTokenIds, long padTokenId, int numReturnSequences, long seed) {
    return new GenerationConfig(maxNewTokens, true, temperature, topK, topP, stopTokenIds, padTokenId,
        numReturnSequences, seed);
  }

  public GenerationConfig withMaxNewTokens(int n) {
    return new GenerationConfig(n, doSample, temperature, topK, topP, stopTokenIds, padTokenId,
        numReturnSequences, seed, suppressTokenIds, repetitionPenalty);
  }

  public GenerationConfig withSampling(double temperature, int topK, double topP, long seed) {
    return new GenerationConfig(maxNewTokens, true, temperature, topK, topP, stopTokenIds, padTokenId,
        numReturnSequences, seed, suppressTokenIds, repetitionPenalty);
  }

  public GenerationConfig withNumReturnSequences(int n) {
    return new GenerationConfig(maxNewTokens, doSample, temperature, topK, topP, stopTokenIds,
        padTokenId, n, seed, suppressTokenIds, repetitionPenalty);
  }

  /**
   * Reads {@code generation_config.json} of a checkpoint (transformers' defaults for what it lacks:
   * greedy unless {@code do_sample}, temperature 1, top_k 50, top_p 1, repetition_penalty 1); stop ids fall back to the
   * config's {@code eos_token_id}. A missing file gives greedy decoding with those stop ids.
   */
  public static GenerationConfig fromCheckpoint(Path dir) {
    Path file = dir.resolve("generation_config.json");
    long[] eos = new long[0];
    Path cfgFile = dir.resolve("config.json");
    if (Files.isRegularFile(cfgFile)) {
      eos = QwenVLConfig.read(cfgFile).eosTokenIds();
    }
    if (!Files.isRegularFile(file)) {
      return greedy(128, eos, eos.length > 0 ? eos[0] : 0);
    }
    JsonNode n = Json.read(file);
    long[] stop = n.has("eos_token_id") ? Json.ids(n.get("eos_token_id"), file, "eos_token_id") : eos;
    long pad = n.has("pad_token_id") && n.get("pad_token_id").isIntegralNumber()
        ? n.get("pad_token_id").asLong() : stop.length > 0 ? stop[0] : 0;
    boolean sample = n.path("do_sample").asBoolean(false);
    double temperature = number(n, "temperature", 1.0, file);
    int topK = (int) number(n, "top_k", 50, file);
    double topP = number(n, "top_p", 1.0, file);
    int maxNew = (int) number(n, "max_new_tokens", 128, file);
    long[] suppress = n.has("suppress_tokens") && !n.get("suppress_tokens").isNull()
        ? Json.ids(n.get("suppress_tokens"), file, "suppress_tokens") : new long[0];
    double repetition = number(n, "repetition_penalty", 1.0, file);
    if (!(repetition > 0)) {
      throw new VirftException(file + ": field 'repetition_penalty' is " + repetition + ", expected > 0");
    }
    return new GenerationConfig(maxNew, sample, sample ? temperature : 1.0, topK, topP, stop, pad, 1, 0,
        suppress, repetition);
  }

  private static double number(JsonNode n, String field, double dflt, Path file) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw new VirftException(file + ": field '" + field + "' is " + v + ", expected a number");
    }
    return v.asDouble();
  }
}
