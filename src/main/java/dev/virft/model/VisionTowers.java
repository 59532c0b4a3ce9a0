package dev.virft.model;

import dev.virft.tensor.Device;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;

/** Builds the vision tower of a config's family. */
final class VisionTowers {
  private VisionTowers() {}

  /** Null until the vision towers land; image embeddings can still be injected. */
  static ImageEncoder create(QwenVLConfig cfg, Function<String, Tensor> weights, Device device) {
    return null;
  }
}
