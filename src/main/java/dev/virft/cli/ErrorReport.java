package dev.virft.cli;

import dev.virft.util.VirftException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The CLI's one error path: what the user can mend is one line naming the thing and what was
 * expected (exit 2); anything else is a bug in virft, reported with a one-line summary first and
 * then its stack trace (exit 1).
 */
final class ErrorReport {
  private ErrorReport() {}

  static int report(Throwable ex, PrintWriter err) {
    String userMessage = userMessage(ex);
    if (userMessage != null) {
      err.println("error: " + userMessage);
      err.flush();
      return Main.USER_ERROR;
    }
    err.println("error: internal error in virft (a bug; please report it with the trace below): "
        + oneLine(ex));
    ex.printStackTrace(err);
    err.flush();
    return Main.INTERNAL_ERROR;
  }

  /** The message for a failure the user caused, or null for a bug. */
  static String userMessage(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof VirftException) {
        return t.getMessage();
      }
      if (t == t.getCause()) {
        break;
      }
    }
    // File-system refusals (a place that is not writable, a file where a directory is expected,
    // the disk full) are the user's environment, not our bug; the exception names the path.
    Throwable io = ex instanceof UncheckedIOException u ? u.getCause() : ex;
    if (io instanceof AccessDeniedException a) {
      return a.getFile() + ": permission denied";
    }
    if (io instanceof NoSuchFileException n) {
      return n.getFile() + ": no such file or directory";
    }
    if (io instanceof NotDirectoryException n) {
      return n.getFile() + ": not a directory";
    }
    if (io instanceof FileSystemException f) {
      return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
    }
    if (io instanceof java.io.IOException i && i.getMessage() != null
        && i.getMessage().contains("No space left on device")) {
      return "no space left on device: " + i.getMessage();
    }
    if (ex instanceof OutOfMemoryError) {
      return "out of memory (" + ex.getMessage() + "): the model or batch is too large for this machine's "
          + "memory or the Java heap (-Xmx, set by VIRFT_JAVA_OPTS)";
    }
    return null;
  }

  private static String oneLine(Throwable ex) {
    String m = ex.getMessage();
    return ex.getClass().getName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }
}
