package dev.virft.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One-line progress on stderr: step, bar, reward (or loss) and ETA. Hand-written because the usual
 * library (me.tongfei:progressbar) is not among the artifacts this project resolves, and one
 * carriage-return line is all that is needed.
 */
public final class ProgressBar {
  private final PrintStream out;
  private final long total;
  private final long startStep;
  private final long startNanos = System.nanoTime();
  private final boolean tty = System.console() != null;

  public ProgressBar(PrintStream out, long startStep, long total) {
    this.out = out;
    this.startStep = startStep;
    this.total = total;
  }

  public void update(long step, String label, double value) {
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    long done = step - startStep;
    double eta = done > 0 ? elapsed / done * (total - step) : Double.NaN;
    int width = 30;
    int filled = (int) Math.round(width * (double) step / Math.max(1, total));
    String bar = "#".repeat(Math.min(width, filled)) + ".".repeat(Math.max(0, width - filled));
    String line =
        String.format(
            Locale.ROOT, "step %d/%d [%s] %s %.4f ETA %s", step, total, bar, label, value, hms(eta));
    // Without a terminal (CI logs) print one line per update instead of rewriting the line.
    out.print(tty ? "\r" + line : line + "\n");
    out.flush();
  }

  public void finish() {
    if (tty) {
      out.println();
    }
  }

  static String hms(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
