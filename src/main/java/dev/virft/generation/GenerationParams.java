package dev.virft.generation;

/**
 * What {@link Generation} reads of a generation config (transformers' {@code GenerationConfig}; the
 * model's own config record implements it): greedy or sampled (top-k, temperature, top-p), the
 * processors (repetition penalty, suppressed ids), stop and pad ids, samples per prompt.
 */
public interface GenerationParams {
  int maxNewTokens();

  boolean doSample();

  double temperature();

  /** {@code <= 0}: no top-k filter. */
  int topK();

  /** {@code >= 1}: no top-p filter. */
  double topP();

  long[] stopTokenIds();

  long padTokenId();

  int numReturnSequences();

  long[] suppressTokenIds();

  /** 1: no penalty. */
  double repetitionPenalty();
}
