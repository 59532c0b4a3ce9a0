package dev.virft.py;

/**
 * A Python exception (TypeError, ValueError, KeyError, ZeroDivisionError, OverflowError, JSONDecodeError...)
 * raised while reproducing the original reward code. Every original reward wraps its logic in
 * {@code try/except Exception: reward = 0.0}, so the rewards catch this and score 0; the type only serves
 * debugging. No stack trace: it is thrown on ordinary bad completions, in the hot path.
 */
public final class PyError extends RuntimeException {
  public PyError(String pythonType, String message) {
    super(pythonType + ": " + message, null, false, false);
  }

  public static PyError typeError(String message) {
    return new PyError("TypeError", message);
  }
}
