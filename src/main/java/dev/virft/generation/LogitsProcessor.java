package dev.virft.generation;

import org.bytedeco.pytorch.Tensor;

/**
 * transformers' {@code LogitsProcessor}: next-token scores [rows, V] given every id of each row so far
 * ({@code inputIds} [rows, len], prompt padding included, as transformers passes them). May work in
 * place on {@code scores}.
 */
public interface LogitsProcessor {
  Tensor process(Tensor inputIds, Tensor scores);
}
