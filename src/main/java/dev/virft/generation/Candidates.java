package dev.virft.generation;

import org.bytedeco.pytorch.Tensor;

/**
 * What the warpers narrow and the sampler draws from: {@code scores} [rows, K] and, when top-k has
 * narrowed the vocabulary, the token id of each column ({@code ids} [rows, K], sorted by descending
 * score); {@code ids == null} means column j is token j. Narrowing before the softmax is what
 * transformers' top-k masking computes, on K columns instead of V.
 */
public record Candidates(Tensor scores, Tensor ids) {
  public static Candidates fullVocabulary(Tensor scores) {
    return new Candidates(scores, null);
  }

  /** Token ids of one chosen column per row ({@code columns} [rows]). */
  public Tensor tokenIds(Tensor columns) {
    return ids == null ? columns : ids.gather(-1, columns.unsqueeze(-1)).squeeze(-1);
  }

  /** Token ids of several columns per row ({@code columns} [rows, k]). */
  public Tensor tokenIdsOfColumns(Tensor columns) {
    return ids == null ? columns : ids.gather(-1, columns);
  }
}
