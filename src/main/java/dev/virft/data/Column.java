package dev.virft.data;

/** A column of a dataset as its file declares it (type in the file's own terms, for display). */
public record Column(String name, String type) {
  @Override
  public String toString() {
    return name + ": " + type;
  }
}
