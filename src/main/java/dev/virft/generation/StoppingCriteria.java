package dev.virft.generation;

import org.bytedeco.pytorch.Tensor;

/**
 * transformers' {@code StoppingCriteria}, on the device: which rows are finished after the tokens
 * just chosen ({@code lastTokens} [rows]); a bool tensor [rows]. The decode loop reads it on the host
 * only every few steps.
 */
public interface StoppingCriteria {
  Tensor isDone(Tensor lastTokens);
}
