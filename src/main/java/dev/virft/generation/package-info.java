/**
 * Generation for any causal model with a forward and a KV cache, on the logits' device: transformers'
 * logits processors and warpers (repetition penalty, suppressed ids, top-k, temperature, top-p), its
 * stopping criteria, seeded per-prompt sampling, and the decode loop ({@link dev.virft.generation.DecodeLoop})
 * that runs them without a host round trip per token. Models implement {@link
 * dev.virft.generation.DecodeSession}.
 */
package dev.virft.generation;
