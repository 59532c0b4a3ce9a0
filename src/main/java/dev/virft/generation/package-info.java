/**
 * Generation for any causal model with a forward and a KV cache, on the logits' device: transformers'
 * logits processors and warpers (repetition penalty, suppressed ids, top-k, temperature, top-p), its
 * stopping criteria, seeded per-prompt sampling, the decode loop ({@link dev.virft.generation.DecodeLoop})
 * that runs them without a host round trip per token, and {@link dev.virft.generation.Generation}
 * (transformers' {@code GenerationMixin.generate}), which builds all of them from a
 * {@link dev.virft.generation.GenerationParams} and prefills each prompt once. Models plug in by opening a
 * {@link dev.virft.generation.PrefillSession}.
 */
package dev.virft.generation;
