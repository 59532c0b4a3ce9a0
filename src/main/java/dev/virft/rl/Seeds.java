package dev.virft.rl;

/**
 * Derives the seed of every random draw from (run seed, step, slot) instead of carrying a generator
 * along: the RNG "state" of a run is then just its seed and position, which the trainer state already
 * holds, and a resumed run draws exactly the same samples.
 */
public final class Seeds {
  private Seeds() {}

  public static long of(long seed, long step, long slot) {
    long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + slot * 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (z ^ (z >>> 31)) & Long.MAX_VALUE;
  }
}
