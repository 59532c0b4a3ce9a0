package dev.virft.model;

import dev.virft.model.vision.VisionTower;
import dev.virft.tensor.Device;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;

/** Builds the vision tower of a config's family over the model's master weights. */
final class VisionTowers {
  private VisionTowers() {}

  /** The tower reads the float32 masters through a cast to the compute dtype on every forward. */
  static ImageEncoder create(QwenVLConfig cfg, Function<String, Tensor> masters, Device device) {
    VisionTower tower =
        VisionTower.create(cfg.vision(), name -> masters.apply(name).to(device.computeType()));
    return tower::forward;
  }
}
