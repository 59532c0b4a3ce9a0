package dev.virft.util;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes files and directories so that a crash never leaves a half-written result: everything goes to
 * a temporary sibling first and is renamed into place.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes the whole content of one file. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /** Something that fills a (temporary) directory. */
  @FunctionalInterface
  public interface DirWriter {
    void write(Path dir) throws IOException;
  }

  public static void write(Path target, Writer writer) {
    Path abs = target.toAbsolutePath();
    try {
      Files.createDirectories(abs.getParent());
      Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
      try {
        ordinaryPermissions(tmp, false);
        try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
            OutputStream out = new BufferedOutputStream(fos, 1 << 16)) {
          writer.write(out);
          out.flush();
          // On disk before the rename makes it visible: a crash then leaves the old file or the new
          // one, never a renamed file whose data never reached the disk.
          fos.getFD().sync();
        }
        move(tmp, abs);
        syncDirectory(abs.getParent());
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  public static void writeString(Path target, String content) {
    write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
  }

  public static void writeBytes(Path target, byte[] content) {
    write(target, out -> out.write(content));
  }

  /**
   * Fills a temporary directory next to {@code target} and renames it into place, replacing any
   * previous directory of that name only once the new one is complete.
   */
  public static void writeDirectory(Path target, DirWriter writer) {
    Path abs = target.toAbsolutePath();
    try {
      Files.createDirectories(abs.getParent());
      Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".");
      try {
        ordinaryPermissions(tmp, true);
        writer.write(tmp);
        syncTree(tmp);
        if (Files.exists(abs)) {
          Path old = abs.resolveSibling("." + abs.getFileName() + ".old");
          deleteRecursively(old);
          move(abs, old);
          move(tmp, abs);
          deleteRecursively(old);
        } else {
          move(tmp, abs);
        }
        syncDirectory(abs.getParent());
      } finally {
        deleteRecursively(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Temporary files and directories are created private (0600 / 0700); what we rename into place is an
   * ordinary output (a checkpoint others on the machine may load), so it gets 0644 / 0755 like a file
   * written directly under the usual umask.
   */
  private static void ordinaryPermissions(Path p, boolean dir) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(dir ? "rwxr-xr-x" : "rw-r--r--"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system (Windows): its default ACLs apply
    }
  }

  /** fsync of every file under {@code dir} and of the directories themselves (their entries). */
  private static void syncTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
          }
        } else if (Files.isDirectory(p)) {
          syncDirectory(p);
        }
      }
    }
  }

  /** Makes a directory's entries (a rename into it) durable; a no-op where directories cannot be opened. */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory; its renames are durable without this
    }
  }

  public static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(q);
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
