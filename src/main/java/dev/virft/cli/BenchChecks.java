package dev.virft.cli;

import dev.virft.model.QwenVLConfig;

/** Option checks of the benchmark verbs, run before any weight is allocated. */
final class BenchChecks {
  private BenchChecks() {}

  static void grpo(QwenVLConfig cfg, int image, int generations, int maxNewTokens, int promptTokens, int steps) {
    int unit = cfg.vision().patchSize() * cfg.vision().spatialMergeSize();
    OptionChecks.require(image == 0 || image > 0 && image % unit == 0, "--image",
        "0 or a positive multiple of patch_size * spatial_merge_size = " + unit, image);
    OptionChecks.require(generations >= 2, "--num_generations", "at least 2", generations);
    OptionChecks.require(maxNewTokens >= 1, "--max_new_tokens", "at least 1", maxNewTokens);
    OptionChecks.require(promptTokens >= 0, "--prompt_tokens", "at least 0", promptTokens);
    OptionChecks.require(steps >= 1, "--steps", "at least 1", steps);
  }
}
