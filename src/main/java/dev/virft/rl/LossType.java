package dev.virft.rl;

import dev.virft.util.VirftException;
import java.util.Locale;

/** How per-token GRPO losses are aggregated (and whether advantages are scaled by the group std). */
public enum LossType {
  /** The original Visual-RFT/TRL-0.14 loss: token mean per sequence, then mean over sequences. */
  GRPO,
  /** Token-level mean over every completion token of the optimizer step (DAPO). */
  DAPO,
  /** Sum over tokens divided by a constant (sequences x max_completion_length); no std scaling. */
  DR_GRPO;

  public boolean scalesAdvantagesByStd() {
    return this != DR_GRPO;
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static LossType parse(String s) {
    for (LossType t : values()) {
      if (t.cliName().equals(s.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new VirftException("--loss: expected grpo, dapo or dr_grpo, got '" + s + "'");
  }
}
