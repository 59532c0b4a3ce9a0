package dev.virft.model;

import org.bytedeco.pytorch.Tensor;

/** Turns processor patches into merged image embeddings [tokens, text hidden] (the vision tower). */
@FunctionalInterface
public interface ImageEncoder {
  Tensor encode(Tensor pixelValues, long[][] imageGridThw);
}
