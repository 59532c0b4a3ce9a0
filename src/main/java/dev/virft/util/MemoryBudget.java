package dev.virft.util;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Refuses, before allocating, what cannot fit in this machine's memory at all: a config whose weights
 * alone exceed physical RAM would otherwise die in native code (or be killed by the kernel) minutes in.
 */
public final class MemoryBudget {
  private MemoryBudget() {}

  /** Physical memory in bytes, or -1 when the JVM cannot tell. */
  public static long physicalBytes() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return -1;
  }

  /** Fails naming {@code what} when {@code bytes} exceed the machine's physical memory. */
  public static void requireFits(String what, long bytes) {
    long total = physicalBytes();
    if (total > 0 && bytes > total) {
      throw new VirftException(String.format(Locale.ROOT,
          "%s needs %.1f GB, more than this machine's %.1f GB of memory; expected a smaller model", what,
          bytes / 1e9, total / 1e9));
    }
  }
}
