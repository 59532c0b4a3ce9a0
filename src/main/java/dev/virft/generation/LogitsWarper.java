package dev.virft.generation;

/** transformers' logits warpers (temperature, top-k, top-p): reshape the distribution sampled from. */
public interface LogitsWarper {
  Candidates warp(Candidates c);
}
