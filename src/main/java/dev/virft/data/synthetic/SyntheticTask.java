package dev.virft.data.synthetic;

import java.util.Locale;

/** Which kind of rows the synthetic generator emits; MIXED cycles detection, classification, grounding. */
public enum SyntheticTask {
  DETECTION,
  CLASSIFICATION,
  GROUNDING,
  MIXED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
