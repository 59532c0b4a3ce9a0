package dev.virft.data;

import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Where an image path stored in a dataset row may point: inside the folder its relative paths are
 * resolved against (the dataset file's folder), unless the user allows more
 * ({@code --allow_outside_paths}). A downloaded dataset must not make us read
 * {@code ../../../../etc/passwd} or {@code /home/me/.ssh/id_rsa}.
 */
public final class ImagePaths {
  private static final ThreadLocal<Boolean> ALLOW_OUTSIDE = ThreadLocal.withInitial(() -> false);

  private ImagePaths() {}

  /** Runs {@code read} (which opens and iterates a dataset on this thread) with paths outside allowed or not. */
  public static <T> T readingWith(boolean allowOutside, Supplier<T> read) {
    boolean before = ALLOW_OUTSIDE.get();
    ALLOW_OUTSIDE.set(allowOutside);
    try {
      return read.get();
    } finally {
      ALLOW_OUTSIDE.set(before);
    }
  }

  /** {@code stored} resolved against {@code baseDir}, refused when it leaves it (lexically or by a link). */
  static Path resolve(Path baseDir, String stored, RowSource src) {
    Path base = baseDir.toAbsolutePath().normalize();
    Path p;
    try {
      p = base.resolve(stored).normalize();
    } catch (InvalidPathException e) {
      throw new VirftException(src + ": image path '" + stored + "' is not a valid path: " + e.getReason());
    }
    if (ALLOW_OUTSIDE.get()) {
      return p;
    }
    boolean inside = p.startsWith(base);
    if (inside && Files.exists(p)) {
      try {
        inside = p.toRealPath().startsWith(base.toRealPath());
      } catch (IOException e) {
        throw new VirftException(src + ": image file " + p + ": cannot resolve: " + e.getMessage(), e);
      }
    }
    if (!inside) {
      throw new VirftException(src + ": image path '" + stored + "' leads outside the dataset's folder " + base
          + ", expected a path inside it (pass --allow_outside_paths to read it anyway)");
    }
    return p;
  }
}
