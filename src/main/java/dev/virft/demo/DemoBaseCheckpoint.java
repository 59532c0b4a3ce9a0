package dev.virft.demo;

import dev.virft.util.AtomicFiles;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The base checkpoint shipped inside the jar ({@code src/main/resources/demo/base/}), copied out to a
 * directory so every loader reads it as it reads any checkpoint. Remade by {@code virft demo
 * make-base} (see docs/benchmarks.md).
 */
public final class DemoBaseCheckpoint {
  static final String RESOURCE_DIR = "/demo/base/";
  static final List<String> FILES =
      List.of(
          "config.json",
          "model.safetensors",
          "tokenizer.json",
          "tokenizer_config.json",
          "generation_config.json",
          "preprocessor_config.json");

  private DemoBaseCheckpoint() {}

  public static boolean shipped() {
    return DemoBaseCheckpoint.class.getResource(RESOURCE_DIR + "model.safetensors") != null;
  }

  /** Copies the shipped checkpoint to {@code dir} (atomically) and returns {@code dir}. */
  public static Path extract(Path dir) {
    if (!shipped()) {
      throw new VirftException(
          "classpath resource " + RESOURCE_DIR + "model.safetensors is missing: the demo's base checkpoint"
              + " was not built (run `virft demo make-base --output src/main/resources/demo/base`)");
    }
    AtomicFiles.writeDirectory(
        dir,
        tmp -> {
          for (String f : FILES) {
            try (InputStream in = DemoBaseCheckpoint.class.getResourceAsStream(RESOURCE_DIR + f)) {
              if (in == null) {
                throw new VirftException("classpath resource " + RESOURCE_DIR + f + " is missing");
              }
              Files.copy(in, tmp.resolve(f));
            } catch (IOException e) {
              throw new VirftException("cannot copy " + RESOURCE_DIR + f + ": " + e.getMessage(), e);
            }
          }
        });
    return dir;
  }
}
