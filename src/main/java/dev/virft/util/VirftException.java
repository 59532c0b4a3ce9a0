package dev.virft.util;

/**
 * A user-facing error: bad input, a missing file, a malformed field. The message alone must tell the
 * user what was wrong and where (file, field, what was expected); the CLI prints it on one line.
 */
public class VirftException extends RuntimeException {
  public VirftException(String message) {
    super(message);
  }

  public VirftException(String message, Throwable cause) {
    super(message, cause);
  }
}
