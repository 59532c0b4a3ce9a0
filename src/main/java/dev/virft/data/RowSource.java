package dev.virft.data;

import java.nio.file.Path;

/** Where a sample came from (file and 0-based row), so every error about it can name both. */
public record RowSource(Path file, long row) {
  @Override
  public String toString() {
    return file + " row " + row;
  }
}
