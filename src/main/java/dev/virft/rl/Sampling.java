package dev.virft.rl;

/**
 * How rollouts are sampled. The original builds a fresh GenerationConfig with {@code temperature=1}
 * (marked "HACK") and transformers' global defaults for the rest (top_k 50, top_p 1.0), so it samples
 * at temperature 1.0 regardless of GRPOConfig's 0.9 (spec §4.2 step 2); those are the defaults here.
 */
public record Sampling(
    double temperature, int topK, double topP, int maxNewTokens, long[] stopTokenIds, long padTokenId) {}
