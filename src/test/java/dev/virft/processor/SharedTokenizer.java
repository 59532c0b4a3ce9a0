package dev.virft.processor;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** One tokenizer load for all test classes of this package (parsing the 7 MB vocabulary takes seconds). */
final class SharedTokenizer {
  private static QwenTokenizer tokenizer;

  private SharedTokenizer() {}

  static Path dir() {
    try {
      return Path.of(SharedTokenizer.class.getResource("/tokenizer/tokenizer.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static synchronized QwenTokenizer get() {
    if (tokenizer == null) {
      tokenizer = QwenTokenizer.fromCheckpoint(dir());
    }
    return tokenizer;
  }
}
