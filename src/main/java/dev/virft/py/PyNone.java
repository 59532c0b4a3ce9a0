package dev.virft.py;

/** Python's {@code None} as produced by JSON {@code null} inside a parsed answer. */
public enum PyNone {
  NONE;

  @Override
  public String toString() {
    return "None";
  }
}
